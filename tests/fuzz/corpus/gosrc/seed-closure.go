package fx

// MakeCounter: the closure captures n by reference.
func MakeCounter() func() int {
	n := 0
	return func() int {
		n++
		return n
	}
}

// Nested returns a closure that returns a closure.
func Nested() func() func() *int {
	x := 1
	return func() func() *int {
		return func() *int {
			return &x
		}
	}
}

// Hook is a package-level closure.
var Hook = func(s string) any {
	return s + "!"
}
