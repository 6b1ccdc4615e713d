module escgate.example/bench/gen

go 1.21
