// Command a: package main, like cmd/b, so both write main/main.json.
package main

import "fmt"

func main() {
	s := "a"
	fmt.Println(s)
}
