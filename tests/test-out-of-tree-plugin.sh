#!/bin/sh
# Installs Alloy into a temporary prefix, builds the good_reader example
# plugin against the installed headers and pkg-config file alone, installs
# it into the plugin directory pkg-config names, and has the installed
# alloyd load it. Prints TAP.
# SPDX-License-Identifier: Apache-2.0
set -u
build=$1
src=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset ALLOY_PLUGIN_PATH

echo "1..4"
fail() {
  echo "not ok $1 - $2"
  [ -f "$tmp/log" ] && sed 's/^/# /' "$tmp/log"
  exit 1
}

DESTDIR="$tmp/dest" meson install -C "$build" --no-rebuild --quiet >"$tmp/log" 2>&1 ||
  fail 1 "meson install into a temporary prefix"
pc=$(find "$tmp/dest" -name alloy-1.pc | head -n 1)
[ -n "$pc" ] || fail 1 "alloy-1.pc is installed"
echo "ok 1 - installed into $tmp/dest"

# The .pc file speaks of the real prefix: make a copy that points at the
# temporary one, as a relocated install would.
prefix=$(sed -n 's/^prefix=//p' "$pc")
mkdir -p "$tmp/pkgconfig"
sed "s|^prefix=.*|prefix=$tmp/dest$prefix|" "$pc" >"$tmp/pkgconfig/alloy-1.pc"
pkgconf() {
  PKG_CONFIG_PATH="$tmp/pkgconfig" pkg-config "$@" alloy-1
}
cflags=$(pkgconf --cflags) && libs=$(pkgconf --libs) && plugindir=$(pkgconf --variable=plugindir) ||
  fail 2 "pkg-config alloy-1"
libdir=$(pkgconf --variable=libdir)
build_abs=$(cd "$build" && pwd)
case "$cflags $libs" in
  *"$src"*|*"$build_abs"*) fail 2 "flags name only the installed tree: $cflags $libs" ;;
esac
mkdir -p "$plugindir"
# shellcheck disable=SC2086
cc -std=gnu11 -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror -Wno-unused-parameter \
  $cflags -o "$plugindir/good_reader.so" "$src/plugins/good-reader.c" $libs \
  -Wl,--no-undefined >"$tmp/log" 2>&1 || fail 2 "the plugin builds out of tree"
echo "ok 2 - built good_reader.so into $plugindir"

alloyd="$tmp/dest$prefix/bin/alloyd"
LD_LIBRARY_PATH="$libdir" "$alloyd" --list-plugins --plugin-path "$plugindir" >"$tmp/log" 2>&1 ||
  fail 3 "alloyd --list-plugins"
grep -q "^good_reader 1.0.0: reader plugin ($plugindir/good_reader.so)" "$tmp/log" ||
  fail 3 "alloyd --list-plugins shows good_reader"
echo "ok 3 - the installed alloyd lists good_reader"

mkdir -p "$tmp/datasets"
cat >"$tmp/alloy.conf" <<CONF
[alloy]
plugin-path=$plugindir
alloy.samplestore.location=$tmp/datasets

[reader:lines]
plugin=good_reader
suffix=.jsonl
CONF
LD_LIBRARY_PATH="$libdir" "$alloyd" --config "$tmp/alloy.conf" --check-config >"$tmp/log" 2>&1 ||
  fail 4 "alloyd --check-config with the plugin"
grep -q "^suffix=.jsonl" "$tmp/log" || fail 4 "the plugin's option is validated and shown"
echo "ok 4 - the installed alloyd loads and configures good_reader"
