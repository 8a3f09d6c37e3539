#!/usr/bin/env bash
# Checks the systemd units and the man page without installing anything: `systemd-analyze
# verify` on temporary copies of both units whose ExecStart/ExecStartPre point at the built
# binary (verify needs the binaries to exist) with MANPATH holding newsenrichd(8) (verify also
# resolves Documentation=man:), no warning about our units, the hardening score of
# `systemd-analyze security --offline=true` at most 2.0, the notify/watchdog settings the daemon
# relies on, and the man page free of groff warnings. Exit status: 0 on success.
set -euo pipefail

src=${NE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
max_exposure=2.0
bin=${NEWSENRICHD:-}

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

command -v systemd-analyze >/dev/null || fail "systemd-analyze not found (package systemd)"
[[ -n $bin && -x $bin ]] || fail "NEWSENRICHD must name the built binary (set by CTest)"
bin=$(readlink -f "$bin")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/units" "$tmp/man/man8"
cp "$src/systemd/newsenrichd.8" "$tmp/man/man8/newsenrichd.8"
for unit in newsenrichd.service newsenrichd@.service; do
        sed "s|/usr/bin/newsenrichd|$bin|g" "$src/systemd/$unit" >"$tmp/units/$unit"
        grep -q "$bin" "$tmp/units/$unit" || fail "$unit does not run /usr/bin/newsenrichd"
done
cp "$tmp/units/newsenrichd@.service" "$tmp/units/newsenrichd@test.service"

echo "== systemd-analyze verify"
for unit in newsenrichd.service newsenrichd@.service newsenrichd@test.service; do
        MANPATH=$tmp/man systemd-analyze verify "$tmp/units/$unit" >"$tmp/verify.log" 2>&1 ||
                { cat "$tmp/verify.log"; fail "verify $unit"; }
        # verify exits 0 on unknown keys and bad values; any line about our unit is a defect.
        if grep -i newsenrichd "$tmp/verify.log"; then
                fail "systemd-analyze verify warned about $unit"
        fi
        echo "  $unit ok"
done

echo "== systemd-analyze security --offline=true (max $max_exposure)"
for unit in newsenrichd.service newsenrichd@test.service; do
        systemd-analyze security --offline=true --no-pager "$tmp/units/$unit" >"$tmp/sec.log" 2>&1 ||
                true # exits non-zero only above --threshold (default 100)
        score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$tmp/sec.log")
        [[ -n $score ]] || { cat "$tmp/sec.log"; fail "no exposure score for $unit"; }
        echo "  $unit: $score"
        awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }' ||
                { grep '✗' "$tmp/sec.log" || true; fail "$unit exposure $score > $max_exposure"; }
done

echo "== settings the daemon relies on"
for unit in newsenrichd.service newsenrichd@.service; do
        f=$src/systemd/$unit
        for want in '^Type=notify$' '^NotifyAccess=main$' '^WatchdogSec=[1-9]' \
                '^ExecReload=/bin/kill -HUP \$MAINPID$' '^ExecStart=/usr/bin/newsenrichd run --config ' \
                '^ExecStartPre=/usr/bin/newsenrichd check-config ' '^Documentation=man:newsenrichd\(8\)$' \
                '^DynamicUser=yes$' '^KillSignal=SIGTERM$'; do
                grep -Eq "$want" "$f" || fail "$unit lacks a line matching $want"
        done
        # The HTTP endpoint and Kafka need AF_INET/AF_INET6; sd_notify needs AF_UNIX.
        grep -Eq '^RestrictAddressFamilies=.*AF_UNIX' "$f" || fail "$unit: sd_notify needs AF_UNIX"
done
grep -q '%i.conf' "$src/systemd/newsenrichd@.service" || fail "template does not use %i.conf"

echo "== man page"
if command -v groff >/dev/null; then
        warnings=$(groff -man -Tutf8 -ww -z "$src/systemd/newsenrichd.8" 2>&1)
        [[ -z $warnings ]] || { echo "$warnings"; fail "groff warnings in newsenrichd.8"; }
fi
rendered=$(MANWIDTH=100 man -l "$src/systemd/newsenrichd.8" 2>/dev/null | col -b 2>/dev/null || true)
[[ -n $rendered ]] || rendered=$(cat "$src/systemd/newsenrichd.8")
for cmd in run enrich demo mock-cluster check-config train-ner eval-ner train-topics eval-topics; do
        grep -Eq "newsenrichd ${cmd}( |$)" <<<"$rendered" || fail "man page SYNOPSIS lacks $cmd"
done
for word in SIGTERM SIGINT SIGHUP "EXIT STATUS" FILES "SEE ALSO" /etc/newsenrichd/newsenrichd.conf; do
        grep -q -- "$word" <<<"$rendered" || fail "man page lacks $word"
done
# Every command the binary dispatches is documented.
for cmd in $("$bin" --help | awk '/^commands:/ {on = 1; next} on && !NF {exit} on {print $1}'); do
        grep -Eq "newsenrichd ${cmd}( |$)" <<<"$rendered" || fail "man page lacks command $cmd"
done
echo "PASS"
