-- wrk script for Tandem's scenarios: POSTs GraphQL requests to /graphql with a bearer token and
-- checks every answer.
--
-- Environment:
--   TOKEN        the bearer token (required by Tandem)
--   BODIES       a file of request bodies, one JSON document per line, picked at random
--   WRITE_RATIO  the share of requests that are writes (0 to 1; default 0). Writes alternate an
--                updateAccount that names the version it read and a createAccount; the first
--                time a run meets an account it reads its version (counted as version_reads)
--   ACCOUNT_IDS  a file of account global ids, one a line (needed when WRITE_RATIO > 0); each
--                wrk thread updates its own share of them, round robin
--   THREADS      the wrk thread count (-t), so that threads can split the ids
--   SEED         random seed (default 1)
--   CHECK        0 to skip reading the answers (see below; default 1)
--
-- An answer is bad when its status is not 200 or it carries GraphQL errors; a version CONFLICT
-- on an update is an expected outcome of optimistic concurrency and is counted apart (the
-- update is then retried with the version the error names).
-- done() prints: rps p50_ms p99_ms requests bad conflicts reads writes.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local function lines(path)
  local out = {}
  if not path or path == "" then return out end
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    if line ~= "" then table.insert(out, line) end
  end
  f:close()
  return out
end

local bodies, ids, versions = {}, {}, {}
local write_ratio, cursor, writes = 0, 0, 0
local update_q = [[mutation($id: ID!, $v: Int!, $r: String) { u%d: updateAccount(input: {id: $id, version: $v, region: $r}) { account { version } } }]]
local read_q = [[query($id: ID!) { a%d: account(id: $id) { version } }]]
local create_q = [[mutation($n: String!) { createAccount(input: {name: $n, touchTier: LOW, industry: \"Grocery\", plan: \"Starter\"}) { account { id version } } }]]

function init(args)
  math.randomseed(tonumber(os.getenv("SEED") or "1") * 1000 + tid)
  bodies = lines(os.getenv("BODIES"))
  write_ratio = tonumber(os.getenv("WRITE_RATIO") or "0") or 0
  local nthreads = tonumber(os.getenv("THREADS") or "1")
  if write_ratio > 0 then
    local all = lines(os.getenv("ACCOUNT_IDS"))
    for i, id in ipairs(all) do
      if (i - 1) % nthreads == tid then table.insert(ids, id) end
    end
    assert(#ids > 0, "no account ids for this thread")
  end
  assert(write_ratio >= 1 or #bodies > 0, "BODIES names no request bodies")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  local token = os.getenv("TOKEN")
  if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
  bad, conflicts, reads, updates, creates, version_reads = 0, 0, 0, 0, 0, 0
end

local function write_request()
  writes = writes + 1
  if writes % 2 == 0 then
    creates = creates + 1
    local name = string.format("zz bench %d-%d-%d", tid, writes, math.random(1000000))
    return wrk.format(nil, nil, nil,
      string.format('{"query":"%s","variables":{"n":"%s"}}', create_q, name))
  end
  cursor = cursor % #ids + 1
  local v = versions[cursor]
  if not v then
    -- a client updates with the version it read: read it the first time this run meets the
    -- account (and after a conflict that did not say the current version)
    version_reads = version_reads + 1
    return wrk.format(nil, nil, nil,
      string.format('{"query":"%s","variables":{"id":"%s"}}', string.format(read_q, cursor), ids[cursor]))
  end
  updates = updates + 1
  local region = (writes % 4 == 1) and "EMEA" or "NA"
  return wrk.format(nil, nil, nil,
    string.format('{"query":"%s","variables":{"id":"%s","v":%d,"r":"%s"}}',
      string.format(update_q, cursor), ids[cursor], v, region))
end

function request()
  if write_ratio > 0 and (write_ratio >= 1 or math.random() < write_ratio) then
    return write_request()
  end
  reads = reads + 1
  return wrk.format(nil, nil, nil, bodies[math.random(#bodies)])
end

local function check(status, headers, body)
  if status ~= 200 then bad = bad + 1; return end
  if body:find('"errors"', 1, true) then
    if body:find('"CONFLICT"', 1, true) then
      conflicts = conflicts + 1
      local idx = tonumber(body:match('"path":%["u(%d+)"%]') or "")
      if idx then versions[idx] = tonumber(body:match("it is now at version (%d+)") or "") or false end
    else
      bad = bad + 1
    end
    return
  end
  if write_ratio > 0 then
    local idx, v = body:match('"u(%d+)":{"account":{"version":(%d+)}')
    if not idx then idx, v = body:match('"a(%d+)":{"version":(%d+)}') end
    if idx then versions[tonumber(idx)] = tonumber(v) end
  end
end

-- With CHECK=0 the bodies are not read (wrk then spends far less CPU per answer, which matters
-- when it shares a small machine with a server answering tens of thousands of requests a
-- second); only non-2xx statuses count as bad. Use it for bodies already checked once.
if os.getenv("CHECK") ~= "0" then response = check end

function done(summary, latency, requests)
  local t = { bad = 0, conflicts = 0, reads = 0, updates = 0, creates = 0, version_reads = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  io.write(string.format(
    "rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d bad=%d conflicts=%d reads=%d updates=%d creates=%d version_reads=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests, t.bad + summary.errors.status, t.conflicts, t.reads, t.updates,
    t.creates, t.version_reads,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
