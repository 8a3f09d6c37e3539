#!/usr/bin/env bash
# Builds the Debian package the way a release is built (Release, prefix /usr, cpack -G DEB),
# installs it with apt-get, and checks what an administrator relies on: the binary runs, every
# shared library it needs comes from a declared dependency, files land in /usr and /etc (never
# /usr/etc), the config is a conffile that survives a reinstall and a remove, and purge cleans
# up. Installs into the real system, so it runs only as root (CI machines are disposable); the
# package is removed again on exit. Exit status: 0 on success (or skipped when not root).
set -euo pipefail

src=${NE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
pkg=newsenrichd
conf=/etc/newsenrichd/newsenrichd.conf
apt_opts=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=120)

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
        echo "SKIP: needs root and apt-get/dpkg-deb (installs a package system-wide)"
        exit 0
fi
if dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        fail "$pkg is already installed; this test would remove it"
fi

tmp=$(mktemp -d)
cleanup() {
        DEBIAN_FRONTEND=noninteractive apt-get purge "${apt_opts[@]}" "$pkg" >/dev/null 2>&1 || true
        rm -rf "$tmp"
}
trap cleanup EXIT

# Build from a copy of the source, so this test never writes into the tree it tests, and so it
# can add what a checkout may lack: an empty models/ (the top-level install rule needs the
# directory) and a placeholder config when the config module has not landed yet, so that the
# conffile mechanism is still exercised.
mkdir "$tmp/src"
tar -C "$src" --exclude=./build --exclude='./build-*' --exclude=./.git -cf - . | tar -C "$tmp/src" -xf -
mkdir -p "$tmp/src/models"
if [[ ! -f $tmp/src/config/newsenrichd.conf ]]; then
        echo "note: config/newsenrichd.conf absent, packaging a placeholder"
        mkdir -p "$tmp/src/config"
        printf '# placeholder written by test_deb_package.sh\n' >"$tmp/src/config/newsenrichd.conf"
fi

echo "== configure and build (Release, prefix /usr)"
cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
        -DCMAKE_INSTALL_PREFIX=/usr >"$tmp/configure.log" || { cat "$tmp/configure.log"; fail configure; }
nice cmake --build "$tmp/build" -j2 >"$tmp/build.log" 2>&1 || { tail -50 "$tmp/build.log"; fail build; }

echo "== cpack -G DEB"
(cd "$tmp/build" && cpack -G DEB >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; fail cpack; }
debs=("$tmp"/build/${pkg}_*.deb)
[[ -f ${debs[0]} && ${#debs[@]} == 1 ]] || fail "expected one ${pkg}_*.deb, got: ${debs[*]}"
deb=${debs[0]}
echo "built $(basename "$deb")"

echo "== package contents"
dpkg-deb -c "$deb" | awk '{print $6}' >"$tmp/contents"
for path in ./usr/bin/newsenrichd ./etc/newsenrichd/newsenrichd.conf \
        ./usr/lib/systemd/system/newsenrichd.service ./usr/lib/systemd/system/newsenrichd@.service \
        ./usr/share/man/man8/newsenrichd.8.gz \
        ./usr/share/newsenrichd/schemas/article_published.avsc \
        ./usr/share/newsenrichd/schemas/article_enriched.avsc; do
        grep -qxF "$path" "$tmp/contents" || fail "package lacks $path"
done
if grep -q '^\./usr/etc\|^\./usr/local' "$tmp/contents"; then
        fail "files outside the Debian layout: $(grep '^\./usr/etc\|^\./usr/local' "$tmp/contents")"
fi
[[ $(dpkg-deb -f "$deb" Package) == "$pkg" ]] || fail "package name"
# A CMake list leaking into a control field shows up as ';'.
! dpkg-deb -f "$deb" Description Depends | grep -q ';' || fail "';' in Description or Depends"
dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles >"$tmp/conffiles" || fail "no conffiles"
grep -qxF "$conf" "$tmp/conffiles" || fail "conffiles does not list $conf"

echo "== every needed shared library comes from a declared dependency"
# dpkg knows a library by the path its package ships (/lib/... or /usr/lib/... on merged-/usr).
owner_of() {
        local p
        for p in "$1" "$(readlink -f "$1")" "${1/#\/usr\/lib\//\/lib\/}" "${1/#\/lib\//\/usr\/lib\/}"; do
                dpkg -S "$p" 2>/dev/null | awk -F: 'NR == 1 {print $1}' | grep . && return 0
        done
        return 1
}
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for soname in $(objdump -p "$tmp/build/newsenrichd" | awk '$1 == "NEEDED" {print $2}'); do
        # awk reads to the end: an early exit would kill ldconfig with SIGPIPE once its output
        # outgrows the pipe buffer, and pipefail + set -e would then end the script silently.
        file=$(ldconfig -p | awk -v s="$soname" '$1 == s && !found {print $NF; found = 1}')
        [[ -n $file ]] || fail "cannot resolve $soname"
        owner=$(owner_of "$file") || fail "no package owns $file"
        grep -qE "(^|, )$owner( |,|$)" <<<"$depends" || fail "$soname is in $owner, not in Depends"
        echo "  $soname -> $owner"
done

echo "== apt-get install"
DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" "$deb" >"$tmp/apt.log" 2>&1 ||
        { cat "$tmp/apt.log"; fail "apt-get install"; }
dpkg-query -W "$pkg" || fail "dpkg-query"
version=$(dpkg-query -W -f '${Version}' "$pkg")
out=$(/usr/bin/newsenrichd --version)
[[ $out == "newsenrichd $version" ]] || fail "--version printed '$out', package is $version"
grep -qxF "$conf" "/var/lib/dpkg/info/$pkg.conffiles" || fail "dpkg does not list $conf as conffile"
[[ -f $conf ]] || fail "$conf not installed"
[[ $(stat -c %a /usr/bin/newsenrichd) == 755 ]] || fail "binary mode"
if command -v man >/dev/null; then
        [[ $(man -w newsenrichd) == /usr/share/man/man8/newsenrichd.8.gz ]] || fail "man -w newsenrichd"
fi
grep -q "newsenrichd $version" <(zcat /usr/share/man/man8/newsenrichd.8.gz) ||
        fail "man page does not carry version $version"

if command -v systemd-analyze >/dev/null; then
        # The installed units against the installed binary and man page (Documentation=man:).
        for unit in newsenrichd.service newsenrichd@.service; do
                systemd-analyze verify "/usr/lib/systemd/system/$unit" >"$tmp/verify.log" 2>&1 ||
                        { cat "$tmp/verify.log"; fail "systemd-analyze verify $unit"; }
                ! grep -i newsenrichd "$tmp/verify.log" || fail "systemd-analyze warned about $unit"
        done
fi

echo "== the admin's edit of the conffile survives a reinstall and a remove"
echo "# edited by the administrator" >>"$conf"
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail reinstall; }
grep -q "edited by the administrator" "$conf" || fail "reinstall overwrote the edited conffile"

DEBIAN_FRONTEND=noninteractive apt-get remove "${apt_opts[@]}" "$pkg" >"$tmp/apt.log" 2>&1 ||
        { cat "$tmp/apt.log"; fail "apt-get remove"; }
[[ ! -e /usr/bin/newsenrichd ]] || fail "binary left after remove"
grep -q "edited by the administrator" "$conf" || fail "remove deleted the edited conffile"
DEBIAN_FRONTEND=noninteractive apt-get purge "${apt_opts[@]}" "$pkg" >"$tmp/apt.log" 2>&1 ||
        { cat "$tmp/apt.log"; fail "apt-get purge"; }
[[ ! -e $conf ]] || fail "purge left $conf"
! dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q installed || fail "still installed"
echo "PASS: $(basename "$deb")"
