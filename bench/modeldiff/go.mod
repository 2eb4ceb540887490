module modeldiff

go 1.26
