// Package fx exercises the escape-analysis diagnostics escgate parses.
package fx

import (
	"bytes"
	"fmt"
	"io"

	"example.com/fx/sub"
)

// Point is a small value type.
type Point struct{ X, Y int }

// NewPoint returns the address of a local: "moved to heap: p".
//
//go:noinline
func NewPoint(x, y int) *Point {
	p := Point{X: x, Y: y}
	return &p
}

// Print boxes x into ...any: "x escapes to heap".
func Print(x int) {
	fmt.Println(x)
}

// WriteTo: w is an interface, so []byte(s) escapes.
func WriteTo(w io.Writer, s string) {
	w.Write([]byte(s))
}

// WriteBuf: the concrete *bytes.Buffer does not keep p, so []byte(s) does not escape.
func WriteBuf(b *bytes.Buffer, s string) {
	b.Write([]byte(s))
}

var sink *int

// LeakHeap: "leaking param: p".
func LeakHeap(p *int) {
	sink = p
}

// LeakContent: "leaking param content: p".
func LeakContent(p **int) {
	sink = *p
}

// Identity: "leaking param: p to result ~r0 level=0".
func Identity(p *int) *int {
	return p
}

// Counter has a pointer-receiver and a value-receiver method.
type Counter struct {
	n    int
	name string
}

// Ptr has a pointer receiver and returns a pointer into it.
func (c *Counter) Ptr() *int {
	return &c.n
}

// Describe has a value receiver; c.n is boxed.
func (c Counter) Describe() string {
	return fmt.Sprint(c.n)
}

// newPointInl escapes and is inlined into UsePoint (same package).
func newPointInl() *Point {
	return &Point{X: 1}
}

// UsePoint gets newPointInl inlined.
func UsePoint() *Point {
	return newPointInl()
}

// UseSub gets sub.New inlined from another package.
func UseSub() *sub.T {
	return sub.New()
}

// UseWrap gets sub.Wrap inlined, which has sub.New inlined: three positions.
func UseWrap() *sub.T {
	return sub.Wrap()
}

// Concat returns a concatenation as any: two identical lines at one position.
func Concat(s string) any {
	return "x" + s
}

// Strange has a string literal with <&> and non-ASCII before an escaping expression.
func Strange(s string) any {
	return "<&> héllo ✓ " + s
}

// Tricky's message contains " in " and ": ", like the 1.26 flow header suffix.
func Tricky(s string) any {
	return "a in b: " + s
}
