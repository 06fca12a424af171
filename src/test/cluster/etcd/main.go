// Command etcd is etcd's own server main, built from go.etcd.io/etcd/server/v3 in a module of its
// own: `go install go.etcd.io/etcd/server/v3@v3.6.16` refuses a module with replace directives.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
