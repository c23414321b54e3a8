#!/usr/bin/env bash
# Black-box tests of the `mainlevee` command, in TAP.
# usage: test_cli.sh PATH/TO/mainlevee
set -u
bin=$1
work=$(mktemp -d /tmp/mlv-cli-XXXXXX)
trap 'kill "${server_pid:-}" 2>/dev/null; rm -rf "$work"' EXIT
export MLV_STORE_PATH="$work/cli.db"
export MLV_STORE_SYNCHRONOUS_FULL=false
export MLV_AUDIT_KEY_FILE="$work/audit.key"
n=0; failed=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
not_ok() { n=$((n+1)); failed=$((failed+1)); echo "not ok $n - $1"; [ $# -gt 1 ] && printf '# %s\n' "$2"; }
check() { # check NAME COMMAND...
  local name=$1; shift
  if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$(printf '%s' "$out" | tail -5)"; fi
}

# --- help and usage
check "--help lists the commands" bash -c "'$bin' --help | grep -q 'generate'"
for c in serve file generate key audit what-if account purge rules stats config docs; do
  check "$c --help" bash -c "'$bin' $c --help | grep -q 'usage: mainlevee $c'"
done
"$bin" frobnicate >/dev/null 2>&1; [ $? -eq 2 ] && ok "unknown command exits 2" || not_ok "unknown command exits 2"
"$bin" file --no-such-flag x >/dev/null 2>&1; [ $? -eq 2 ] && ok "unknown flag exits 2" || not_ok "unknown flag exits 2"
check "--version" bash -c "'$bin' --version | grep -Eq '^mainlevee [0-9]+\.[0-9]+'"

# --- generate is deterministic
"$bin" generate --count 300 --seed 7 --start-date 2026-04-01 > "$work/a.jsonl"
"$bin" generate --count 300 --seed 7 --start-date 2026-04-01 > "$work/b.jsonl"
"$bin" generate --count 300 --seed 8 --start-date 2026-04-01 > "$work/c.jsonl"
cmp -s "$work/a.jsonl" "$work/b.jsonl" && ok "same seed, same output" || not_ok "same seed, same output"
cmp -s "$work/a.jsonl" "$work/c.jsonl" && not_ok "other seed, other output" || ok "other seed, other output"
[ "$(wc -l < "$work/a.jsonl")" -eq 300 ] && ok "generate writes --count lines" || not_ok "generate writes --count lines"
"$bin" generate --count 300 --seed 7 --start-date 2026-04-01 --labels "$work/labels.csv" > /dev/null
[ "$(wc -l < "$work/labels.csv")" -eq 301 ] && grep -qE ',(undervalued|split|prohibited|misdescribed)$' "$work/labels.csv" \
  && ! grep -q ',missing_data$' "$work/labels.csv" \
  && ok "labels file names every consignment; no invalid record by default" || not_ok "labels file names every consignment"
"$bin" generate --count 300 --seed 7 --start-date 2026-04-01 --with-invalid --labels "$work/labels2.csv" > /dev/null
grep -q ',missing_data$' "$work/labels2.csv" && ok "--with-invalid adds missing_data records" || not_ok "--with-invalid adds missing_data records"

# --- file: store, idempotency, rejection, exit codes
"$bin" generate --count 500 --seed 3 --anomalies 0 > "$work/clean.jsonl"
"$bin" file --no-progress "$work/clean.jsonl" > "$work/r1.jsonl" 2> "$work/e1"; s=$?
created=$(grep -c '"outcome":"created"' "$work/r1.jsonl")
[ $s -eq 0 ] && [ "$created" -eq 500 ] && ok "file stores 500 clean consignments (exit 0)" \
  || not_ok "file stores 500 clean consignments (exit 0)" "exit $s, created $created: $(tail -2 "$work/e1")"
"$bin" file --no-progress - < "$work/clean.jsonl" > "$work/r2.jsonl" 2>/dev/null
[ "$(grep -c '"outcome":"unchanged"' "$work/r2.jsonl")" -eq 500 ] \
  && ok "filing the same lines again stores nothing twice" || not_ok "filing the same lines again stores nothing twice"
[ "$(head -1 "$work/r1.jsonl" | grep -o '"id":[0-9]*')" = "$(head -1 "$work/r2.jsonl" | grep -o '"id":[0-9]*')" ] \
  && ok "same LRN keeps its id" || not_ok "same LRN keeps its id"
printf '%s\n' '{"lrn":"BAD-1","category":"high_value"}' 'not json' '' > "$work/bad.jsonl"
"$bin" file --no-progress "$work/bad.jsonl" > "$work/r3.jsonl" 2>/dev/null; s=$?
[ $s -eq 3 ] && grep -q '"line":1,"lrn":"BAD-1","outcome":"rejected"' "$work/r3.jsonl" \
  && grep -q '"pointer":"/transport","code":"required"' "$work/r3.jsonl" \
  && grep -q '"line":2,"outcome":"rejected".*"code":"syntax"' "$work/r3.jsonl" \
  && [ "$(wc -l < "$work/r3.jsonl")" -eq 2 ] \
  && ok "rejected lines are reported with pointers, blank lines skipped, exit 3" \
  || not_ok "rejected lines are reported with pointers, blank lines skipped, exit 3" "exit $s: $(cat "$work/r3.jsonl")"
"$bin" file --dry-run --no-progress "$work/clean.jsonl" 2>/dev/null | grep -q '"outcome":"valid"' \
  && ok "--dry-run validates without storing" || not_ok "--dry-run validates without storing"
"$bin" file /nonexistent.jsonl >/dev/null 2>&1; [ $? -eq 1 ] && ok "missing input file exits 1" || not_ok "missing input file exits 1"

# --- a larger pipeline with anomalies: every line accounted for
"$bin" generate --count 20000 --seed 11 --with-invalid | "$bin" file --quiet - > "$work/r4.jsonl" 2> "$work/e4"
line=$(tail -1 "$work/e4")
total=$(echo "$line" | grep -o '^mainlevee file: [0-9]* lines' | grep -o '[0-9]*')
rejected=$(echo "$line" | grep -o '[0-9]* rejected' | grep -o '[0-9]*')
[ "${total:-0}" -eq 20000 ] && [ "${rejected:-0}" -gt 0 ] && [ "$(wc -l < "$work/r4.jsonl")" -eq "$rejected" ] \
  && ok "generate | file - accounts for 20000 lines ($rejected rejected anomalies)" \
  || not_ok "generate | file - accounts for 20000 lines" "$line"

# --- configuration
"$bin" config example > "$work/example.ini"
check "config example loads back" "$bin" config show --config "$work/example.ini"
printf '[server]\nport = 9999\nbogus = 1\n' > "$work/bad.ini"
"$bin" config show --config "$work/bad.ini" 2> "$work/e5" >/dev/null; s=$?
[ $s -eq 2 ] && grep -q 'unknown setting \[server\] bogus' "$work/e5" \
  && ok "unknown setting is refused with its name" || not_ok "unknown setting is refused with its name" "$(cat "$work/e5")"
MLV_SERVER_PORT=7777 "$bin" config show | grep -q '^port = 7777$' && ok "environment sets a setting" || not_ok "environment sets a setting"
MLV_SERVER_PORT=7777 "$bin" config show --port 7778 | grep -q '^port = 7778$' && ok "a flag beats the environment" || not_ok "a flag beats the environment"
"$bin" config show --port 70000 >/dev/null 2>&1; [ $? -eq 2 ] && ok "out-of-range setting exits 2" || not_ok "out-of-range setting exits 2"

# --- keys
token=$("$bin" key create --filer cli-test --label ci 2>/dev/null)
[[ "$token" =~ ^mlv_[A-Za-z0-9_-]{32}$ ]] && ok "key create prints a key" || not_ok "key create prints a key" "$token"
list=$("$bin" key list --filer cli-test 2>&1)
[[ "$list" == *"${token:0:12}"*active* && "$list" != *"$token"* ]] \
  && ok "key list shows the prefix and state, never the key" || not_ok "key list" "$list"
"$bin" key revoke --prefix "${token:0:12}" && ok "key revoke" || not_ok "key revoke"
"$bin" key list | grep "${token:0:12}" | grep -q revoked && ok "key list shows it revoked" \
  || not_ok "key list shows it revoked"
"$bin" key revoke --prefix "${token:0:12}" 2>/dev/null; [ $? -eq 1 ] && ok "revoking twice fails" || not_ok "revoking twice fails"

# --- serve: starts, answers, stops cleanly on SIGTERM
"$bin" serve --port 0 --demo --demo-count 20 --db "$work/serve.db" > "$work/serve.out" 2> "$work/serve.err" &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'url=http://[^ ]*' "$work/serve.err" | head -1 | cut -d= -f2)
  [ -n "$url" ] && break
  sleep 0.1
done
key=$(grep -o 'mlv_[A-Za-z0-9_-]\{32\}' "$work/serve.out" | head -1)
if [ -n "$url" ] && curl -sf "${url}healthz" | grep -q '"status":"ok"'; then ok "serve answers /healthz"; else not_ok "serve answers /healthz" "$(cat "$work/serve.err")"; fi
count=$(curl -s -H "Authorization: Bearer $key" "${url}v1/consignments?limit=100" | grep -o '"lrn":"DEMO-' | wc -l)
[ "$count" -eq 20 ] && ok "demo filer sees its demo consignments ($count)" || not_ok "demo filer sees its demo consignments" "$count"
kill -TERM "$server_pid"; wait "$server_pid"; s=$?
[ $s -eq 0 ] && grep -q 'msg="stopped"' "$work/serve.err" && ok "SIGTERM stops the server cleanly" || not_ok "SIGTERM stops the server cleanly" "exit $s"
server_pid=

# --- the audit log: sign, verify, prove, check with the independent verifier
MLV_AUDIT_KEY_FILE="$work/none.key" "$bin" audit verify >/dev/null 2>&1; [ $? -eq 1 ] && ok "audit verify without a key fails" || not_ok "audit verify without a key fails"
[ -f "$work/audit.key" ] && [ "$(stat -c %a "$work/audit.key")" = 600 ] \
  && ok "the signing key was created with mode 0600" || not_ok "the signing key was created with mode 0600"
grep -q 'signed tree heads [1-9]' <("$bin" audit verify) && ok "file signs a tree head after its batch" || not_ok "file signs a tree head after its batch"
"$bin" audit sth > "$work/sth.json" && grep -q '"tree_size":' "$work/sth.json" \
  && ok "audit sth signs a tree head" || not_ok "audit sth signs a tree head" "$(cat "$work/sth.json")"
"$bin" audit verify > "$work/verify.out" && grep -q 'the log verifies' "$work/verify.out" \
  && ok "audit verify: $(cat "$work/verify.out")" || not_ok "audit verify" "$(cat "$work/verify.out")"
pk=$("$bin" audit public-key)
"$bin" audit prove 7 > "$work/proof.json" && ok "audit prove prints a proof" || not_ok "audit prove prints a proof"
if [ -n "${MLV_VERIFY_BIN:-}" ]; then
  "$MLV_VERIFY_BIN" inclusion "$work/proof.json" --key "$pk" | grep -q '^verified$' \
    && ok "mlv-verify accepts the proof with the public key alone" || not_ok "mlv-verify accepts the proof"
  other=$(head -c 32 /dev/urandom | base64)
  "$MLV_VERIFY_BIN" inclusion "$work/proof.json" --key "$other" >/dev/null 2>&1
  [ $? -eq 1 ] && ok "mlv-verify rejects another key" || not_ok "mlv-verify rejects another key"
  sed 's/"leaf_index":6/"leaf_index":5/' "$work/proof.json" > "$work/bad.json"
  "$MLV_VERIFY_BIN" inclusion "$work/bad.json" --key "$pk" >/dev/null 2>&1
  [ $? -eq 1 ] && ok "mlv-verify rejects a changed index" || not_ok "mlv-verify rejects a changed index"
fi
"$bin" audit prove 99999999 >/dev/null 2>&1; [ $? -eq 1 ] && ok "proving an unknown event fails" || not_ok "proving an unknown event fails"

# --- what-if of thresholds over the stored consignments
"$bin" what-if --duty-threshold 150.00 --tax-threshold 22.00 > "$work/whatif.out" 2>&1; s=$?
[ $s -eq 0 ] && grep -q '^duty ' "$work/whatif.out" && grep -q 'consignments, ' "$work/whatif.out" \
  && ok "what-if recomputes revenue over the store" || not_ok "what-if recomputes revenue over the store" "$(cat "$work/whatif.out")"
"$bin" what-if >/dev/null 2>&1; [ $? -eq 2 ] && ok "what-if without a threshold exits 2" || not_ok "what-if without a threshold exits 2"

# --- statistics of the period: the totals and a breakdown against the database's own counts
sq() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$MLV_STORE_PATH" "$1"; }
"$bin" stats > "$work/stats.out" 2> "$work/stats.err"; s=$?
total=$(sq 'select count(*) from consignments')
shown=$(grep -E '^  Consignments +[0-9]+$' "$work/stats.out" | grep -o '[0-9]*$')
[ $s -eq 0 ] && [ "$total" -gt 0 ] && [ "${shown:-x}" = "$total" ] \
  && ok "stats: the period's consignments are the stored ones ($total)" \
  || not_ok "stats: the period's consignments are the stored ones" "exit $s, shown ${shown:-none}, stored $total: $(head -5 "$work/stats.err")"
top=$(sq "select departure_country || ' ' || count(*) from consignments group by departure_country order by count(*) desc, departure_country limit 1")
row=$(sed -n '/^By origin/,/^$/p' "$work/stats.out" | sed -n 3p)
[ "$(echo "$row" | awk '{print $1}')" = "${top% *}" ] && echo "$row" | grep -q " ${top#* } " \
  && ok "stats --dimension origin: the largest origin and its count ($top)" \
  || not_ok "stats: the largest origin and its count" "want $top, row: $row"
grep -q '^Release times' "$work/stats.out" && grep -q '^Rules (the 20 with the most hits)' "$work/stats.out" \
  && ok "stats prints release times and rules" || not_ok "stats prints release times and rules"
"$bin" stats --by week --dimension lane --top 3 > "$work/stats2.out" 2>&1 \
  && grep -q '^By week' "$work/stats2.out" && grep -q '^By lane (the 3 largest' "$work/stats2.out" \
  && ok "stats --by week --dimension lane" || not_ok "stats --by week --dimension lane" "$(head -20 "$work/stats2.out")"
for bad in "--by year" "--dimension colour" "--from 2026-13-01" "--top 0" "--from 2026-02-01 --to 2026-01-01"; do
  "$bin" stats $bad >/dev/null 2>&1; [ $? -eq 2 ] && ok "stats $bad exits 2" || not_ok "stats $bad exits 2"
done
"$bin" stats --check > "$work/check.out" 2>/dev/null; s=$?
[ $s -eq 0 ] && grep -q 'the aggregates match' "$work/check.out" \
  && ok "stats --check: the aggregates match the rows" || not_ok "stats --check: the aggregates match" "exit $s: $(cat "$work/check.out")"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('update stats_agg set consignments = consignments + 5 where grain = 1 and day = (select max(day) from stats_agg)'); c.commit()" "$MLV_STORE_PATH"
"$bin" stats --check > "$work/check2.out" 2>/dev/null; s=$?
[ $s -eq 1 ] && grep -q 'differ' "$work/check2.out" \
  && ok "stats --check finds an aggregate changed behind its back (exit 1)" || not_ok "stats --check finds a changed aggregate" "exit $s"
"$bin" stats --rebuild > /dev/null 2>&1 && "$bin" stats --check > /dev/null 2>&1 \
  && ok "stats --rebuild repairs it" || not_ok "stats --rebuild repairs it"

# --- undervaluation against reference unit values from the stored history
uvmake() { # uvmake FIRST COUNT VALUE: consignments of one phone from CN at VALUE EUR
  "$bin" generate --count $(($2 * 4)) --seed 3 --anomalies 0 | python3 -c '
import json, sys
first, count, value = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
i = 0
for line in sys.stdin:
    t = json.loads(line)
    if "transaction" not in t or i == count:
        continue
    t["lrn"] = "UV-%d" % (first + i)
    t["category"] = "low_value_dutiable"
    t["items"] = [{"description": "Smartphone 128 GB", "hs_code": "851713", "quantity": "1",
                   "currency": "EUR", "value": value, "net_weight": "0.200", "origin_country": "CN"}]
    tr = t["transaction"]
    tr["currency"] = "EUR"; tr["invoice_total"] = value
    tr.pop("payment", None)
    t.pop("tax_collected", None)
    print(json.dumps(t))
    i += 1' "$1" "$2" "$3"
}
uvdb="$work/uv.db"
uvmake 1 30 120.00 > "$work/uv-hist.jsonl"
uvmake 100 1 9.00 > "$work/uv-low.jsonl"
uvmake 200 1 118.00 > "$work/uv-fair.jsonl"
"$bin" file --dry-run --no-progress --db "$uvdb" "$work/uv-low.jsonl" > "$work/uv0.out" 2>/dev/null
grep -q '"outcome":"valid"' "$work/uv0.out" && ! grep -q 'R-VAL-UNDER' "$work/uv0.out" \
  && ok "no history: no undervaluation hit" || not_ok "no history: no undervaluation hit" "$(head -c 600 "$work/uv0.out")"
"$bin" file --no-progress --db "$uvdb" "$work/uv-hist.jsonl" 2>&1 | grep -q '30 created' \
  && ok "a history of 30 phones at 120.00 EUR is stored" || not_ok "history of 30 phones stored"
"$bin" file --dry-run --no-progress --db "$uvdb" "$work/uv-low.jsonl" > "$work/uv1.out" 2> "$work/uv1.err"
grep -q '"rule":"R-VAL-UNDER-ELEC"' "$work/uv1.out" && grep -q 'below the reference' "$work/uv1.out" \
  && grep -q 'reference unit values.*consignments=30' "$work/uv1.err" \
  && ok "a phone at 9.00 EUR is flagged against the history's reference" \
  || not_ok "a phone at 9.00 EUR is flagged against the reference" "$(head -c 600 "$work/uv1.out"; cat "$work/uv1.err")"
"$bin" file --dry-run --no-progress --db "$uvdb" "$work/uv-fair.jsonl" > "$work/uv2.out" 2>/dev/null
grep -q '"outcome":"valid"' "$work/uv2.out" && ! grep -q 'R-VAL-UNDER' "$work/uv2.out" \
  && ok "a phone at 118.00 EUR is not flagged" || not_ok "a phone at 118.00 EUR is not flagged" "$(head -c 600 "$work/uv2.out")"

# --- risk rules: check and import a profile file as a new version, list and show versions
rdb="$work/rules.db"
"$bin" rules versions --db "$rdb" >/dev/null 2>&1; [ $? -eq 1 ] && ok "rules versions without a store fails" || not_ok "rules versions without a store fails"
"$bin" rules frobnicate >/dev/null 2>&1; [ $? -eq 2 ] && ok "rules with a wrong subcommand exits 2" || not_ok "rules with a wrong subcommand exits 2"
default_profile="${MLV_SRCDIR:-.}/data/risk/profile-default.ini"
cp "$default_profile" "$work/p.ini"
printf '\n[rule R-CLI]\nversion = 1\nweight = 5\nexplain = departed {departure}\ndeparture = CN\n' >> "$work/p.ini"
"$bin" rules check --db "$rdb" "$work/p.ini" | grep -q 'valid against the rules in force (version 1)' \
  && ok "rules check accepts a valid profile" || not_ok "rules check accepts a valid profile"
"$bin" rules import --db "$rdb" --actor analyst:cli "$work/p.ini" > "$work/imp.out" 2>&1; s=$?
[ $s -eq 0 ] && grep -q '^stored version 1: the configured rules' "$work/imp.out" && grep -q '^stored version 2 (added R-CLI)' "$work/imp.out" \
  && ok "rules import stores the configured rules, then the file, as versions 1 and 2" || not_ok "rules import stores versions 1 and 2" "$(cat "$work/imp.out")"
"$bin" rules versions --db "$rdb" > "$work/vers.out"
grep -Eq '^ +2 .* analyst:cli +added R-CLI' "$work/vers.out" && grep -Eq '^ +1 .* system +first version' "$work/vers.out" \
  && ok "rules versions lists both, newest first, with their authors" || not_ok "rules versions lists both" "$(cat "$work/vers.out")"
"$bin" rules show 1 --db "$rdb" | cmp -s - "$default_profile" && ok "rules show 1 gives the first version's text" || not_ok "rules show 1 gives the first version's text"
"$bin" rules show --db "$rdb" | cmp -s - "$work/p.ini" && ok "rules show gives the version in force" || not_ok "rules show gives the version in force"
"$bin" rules import --db "$rdb" "$work/p.ini" | grep -q '^unchanged: version 2' && ok "importing the same rules again stores nothing" || not_ok "importing the same rules again stores nothing"
cp "$work/p.ini" "$work/buyer.ini"
printf '\n[rule R-BUYER]\nversion = 1\nweight = 5\nexplain = x\nbuyer_country = FR\n' >> "$work/buyer.ini"
line=$(grep -n '^buyer_country' "$work/buyer.ini" | cut -d: -f1)
"$bin" rules import --db "$rdb" "$work/buyer.ini" > /dev/null 2> "$work/buyer.err"; s=$?
[ $s -eq 1 ] && grep -q "buyer.ini:$line: 'buyer_country': consumers are not profiled" "$work/buyer.err" \
  && ok "a rule on the buyer is refused at its line" || not_ok "a rule on the buyer is refused at its line" "exit $s: $(cat "$work/buyer.err")"
sed 's/^departure = CN$/departure = CN VN/' "$work/p.ini" > "$work/same.ini"
"$bin" rules import --db "$rdb" "$work/same.ini" > /dev/null 2> "$work/same.err"; s=$?
[ $s -eq 1 ] && grep -q 'rule R-CLI changed but kept version 1' "$work/same.err" \
  && ok "a changed rule must raise its version" || not_ok "a changed rule must raise its version" "$(cat "$work/same.err")"
[ "$("$bin" rules versions --db "$rdb" | grep -c '^ *[0-9]')" -eq 2 ] && ok "refused imports store nothing" || not_ok "refused imports store nothing"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["lrn"]="RULES-CLI-1"; print(json.dumps(d))' \
  "${MLV_SRCDIR:-.}/tests/fixtures/consignment.json" > "$work/one.jsonl"
"$bin" file --dry-run --no-progress --db "$rdb" "$work/one.jsonl" > "$work/one.out" 2>/dev/null
grep -q '"profile":{"id":"default","version":2}' "$work/one.out" && grep -q '"rule":"R-CLI","version":1' "$work/one.out" \
  && ok "file assesses with the stored version in force and records it" || not_ok "file assesses with the stored version" "$(head -c 600 "$work/one.out")"
"$bin" audit verify --db "$rdb" | grep -q 'the log verifies' && ok "each version is an event of the audit log, which verifies" || not_ok "the rules' audit events verify"

# --- data protection: purge personal data, the log still verifies
"$bin" purge --retention-days 1 --dry-run | grep -q '^would purge the personal data of 0 consignments' \
  && ok "purge --dry-run: nothing is older than the retention" || not_ok "purge --dry-run: nothing older"
before=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from consignments').fetchone()[0])" "$MLV_STORE_PATH")
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('update consignments set filed_at = filed_at - 10*86400000'); c.commit()" "$MLV_STORE_PATH"
# a referral answered with a text, data and a document, and an operator
# whose record changed twice (a superseded record, then the current one),
# all ten days old: as the server writes them (referrals_sqlite.c,
# operators_sqlite.c)
cat > "$work/seed.py" <<'PY'
import hashlib, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
old = int(time.time() * 1000) - 10 * 86400000
cid, fid = c.execute("select id, filer_id from consignments order by id limit 1").fetchone()
r = c.execute("insert into referrals (consignment_id, kind, status, to_role, filer_id, reason,"
              " deadline, created_at, created_by) values (?, 'information', 'answered', 'filer',"
              " ?, 'who is the buyer', ?, ?, 'officer:cli')", (cid, fid, old + 86400000, old)).lastrowid
a = c.execute("insert into referral_answers (referral_id, filer_id, text, data, at)"
              " values (?, ?, 'Camille Martin, 5 Rue de la Paix', '{\"buyer\":{\"name\":\"Camille Martin\"}}', ?)",
              (r, fid, old)).lastrowid
pdf = b"%PDF-1.4 Camille Martin"
c.execute("insert into referral_documents (referral_id, answer_id, type, reference, filename,"
          " media_type, size, sha256, content) values (?, ?, 'invoice', 'INV-CLI-1',"
          " 'camille-martin.pdf', 'application/pdf', ?, ?, ?)",
          (r, a, len(pdf), hashlib.sha256(pdf).digest(), pdf))
doc = '{"kind":"seller","name":"CLI Seller","country":"FR","contacts":[{"name":"Camille Martin","email":"camille@example.org"%s}]}'
for v, extra in ((1, ''), (2, ',"phone":"+33155550100"')):
    c.execute("insert into registry_history (object, object_id, version, at, actor, change, changed, doc)"
              " values ('operator', 990001, ?, ?, 'admin:cli', ?, 'contacts', ?)",
              (v, old + v, 'created' if v == 1 else 'updated', doc % extra))
c.commit()
PY
python3 "$work/seed.py" "$MLV_STORE_PATH" && ok "a referral answer, its document and two operator records are seeded" \
  || not_ok "seed the referral and the registry history"
"$bin" purge --retention-days 5 --dry-run | grep -q '^would purge 1 referral answers and 1 referral documents of those consignments, and the contacts of 1 superseded operator records' \
  && ok "purge --dry-run counts the referral answer, its document and the superseded operator record" \
  || not_ok "purge --dry-run counts referrals and the registry" "$("$bin" purge --retention-days 5 --dry-run 2>&1)"
"$bin" purge --retention-days 5 > "$work/purge.out"; s=$?
[ $s -eq 0 ] && grep -q "purged the personal data of $before consignments" "$work/purge.out" \
  && ok "purge removes personal data of $before consignments" || not_ok "purge removes personal data" "$(cat "$work/purge.out")"
grep -q '^purged 1 referral answers and 1 referral documents of those consignments, and the contacts of 1 superseded operator records' "$work/purge.out" \
  && ok "purge reports the referral answer, its document and the operator record" || not_ok "purge reports referrals and the registry" "$(cat "$work/purge.out")"
cat > "$work/check.py" <<'PY'
import hashlib, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
text, data, apurged = c.execute("select text, data, purged_at from referral_answers").fetchone()
assert text is None and data is None and apurged is not None, "answer"
fn, content, size, digest, ref, dpurged = c.execute(
    "select filename, content, size, sha256, reference, purged_at from referral_documents").fetchone()
assert fn is None and content is None and dpurged is not None, "document"
assert size == 23 and digest == hashlib.sha256(b"%PDF-1.4 Camille Martin").digest() and ref == "INV-CLI-1", "kept"
rows = c.execute("select version, doc, purged_at from registry_history where object_id = 990001 order by version").fetchall()
assert "Camille" not in rows[0][1] and rows[0][2] is not None and '"CLI Seller"' in rows[0][1], "superseded"
assert "Camille" in rows[1][1] and rows[1][2] is None, "current"
PY
python3 "$work/check.py" "$MLV_STORE_PATH" 2> "$work/check.err" \
  && ok "the answer's text and data, the document's name and bytes, the superseded record's contacts are gone; sizes, digests and the current record stay" \
  || not_ok "the purged rows" "$(cat "$work/check.err")"
"$bin" audit verify | grep -q 'the log verifies' && ok "the audit log still verifies after the purge" || not_ok "the audit log still verifies after the purge"
"$bin" purge --retention-days 5 | grep -q '^purged 0 referral answers and 0 referral documents of those consignments, and the contacts of 0 superseded operator records' \
  && ok "a second purge finds nothing left" || not_ok "a second purge finds nothing left"

echo "1..$n"
[ $failed -eq 0 ]
