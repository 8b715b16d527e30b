#!/bin/sh
# npm runs this when it installs @cairn/datapath (package.json "install"): builds the fallocate
# addon with the node-gyp bundled with npm. node-gyp would otherwise download Node's headers, and
# there is no network on our machines: point it at the headers installed beside this node.
set -e
prefix=$(node -p "require('node:path').resolve(process.execPath, '../..')")
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$prefix/include/node/node_api.h" ]; then
  exec node-gyp rebuild --nodedir="$prefix"
fi
exec node-gyp rebuild
