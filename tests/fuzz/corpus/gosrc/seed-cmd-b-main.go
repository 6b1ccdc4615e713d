// Command b: package main, like cmd/a.
package main

import "fmt"

func main() {
	n := 2
	fmt.Println(&n)
}
