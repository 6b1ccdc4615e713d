// Package sub is called from example.com/fx; New and Wrap are inlined there.
package sub

// T is allocated by New.
type T struct{ A int }

// New returns a fresh T; small enough to be inlined into other packages.
func New() *T {
	return &T{}
}

// Wrap calls New, so a caller of Wrap has two levels of inlining.
func Wrap() *T {
	return New()
}
