module kubequake.local/demo

go 1.24
