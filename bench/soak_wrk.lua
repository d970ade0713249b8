-- wrk script for bench/soak.py (Debian: apt-get install wrk). Not used by the product.
--
--   wrk -t 2 -c C -d D -s bench/soak_wrk.lua http://127.0.0.1:PORT -- TARGETS OUT T0 RATE WINDOW RUNID THREADS
--
-- Mixed traffic, open loop: request g (over all threads) is due at T0 + g / RATE (T0 a CLOCK_MONOTONIC
-- instant, as Python's time.monotonic()) for WINDOW seconds, whatever happened to the earlier ones, and
-- its latency is counted from that due time (no coordinated omission, as wrk2 does; wrk2 is not in
-- Debian). Its type comes from a fixed 10-slot pattern that each thread runs through in turn: 2 online
-- applications ("app"), 3 opinions on open step tasks ("opinion"), 2 anonymous complaints ("complaint")
-- and 3 public tracking look-ups ("track"): 20 / 30 / 20 / 30 %.
--
-- Two web processes: thread 0 talks to PORT, thread 1 to PORT + 1 (two gunicorn masters), so each
-- serves every other request of the schedule.
--
-- TARGETS has one line per request template: "kind<TAB>path<TAB>Cookie<TAB>CSRF token<TAB>body". Opinion
-- lines are used once each (a task is signed once), split between the threads in groups of four
-- consecutive lines (bench/cases.py's staggered order); the other kinds are cycled. Each complaint gets
-- its own Idempotency-Key (RUNID, thread, counter). Responses are matched to their requests by the
-- X-Bench-Seq header the bench settings echo back. OUT receives, per thread and kind, a summary line,
-- the first error answers, and one "lat kind latency_ms due_s" line per answer.
local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } xn_timespec;
int clock_gettime(int clk_id, xn_timespec *tp);
]])
local ts = ffi.new("xn_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local KINDS = { "app", "opinion", "complaint", "track" }
local WEIGHTS = { app = 2, opinion = 3, complaint = 2, track = 3 }

-- the fixed pattern: the slots in a shuffled order (a small LCG with a fixed seed, so both threads
-- build the same pattern whatever LuaJIT's math.random does)
local pattern = {}
for _, k in ipairs(KINDS) do
  for _ = 1, WEIGHTS[k] do
    pattern[#pattern + 1] = k
  end
end
local state = 12345
for i = #pattern, 2, -1 do
  state = (state * 1103515245 + 12345) % 2147483648
  local j = state % i + 1
  pattern[i], pattern[j] = pattern[j], pattern[i]
end

-- main state: number the threads and point thread 1 at the second web process
local threads = {}
function setup(thread)
  local id = #threads
  thread:set("id", id)
  local port = tostring(tonumber(wrk.port) + (id % 2))
  thread.addr = wrk.lookup(wrk.host, port)[1]
  table.insert(threads, thread)
end

local pools = { app = {}, opinion = {}, complaint = {}, track = {} }
local next_of = { app = 0, opinion = 0, complaint = 0, track = 0 }
local fifo_due, fifo_kind, fifo_item = {}, {}, {}
local head, tail, nextn, seq = 1, 0, 0, 0
local rate, window, t0, nthreads, runid
-- results (read by done() through thread:get, which copies only flat tables safely): per kind
-- sent_<kind>, ok_<kind>, bad_<kind>, lat_<kind> (ms) and at_<kind> (when the answered request was due,
-- s after T0); in flight at the end = sent - ok - bad
errs = {} -- a few error answers: "kind status body"
unmatched, exhausted, maxlag, late = 0, 0, 0, 0
local pending_due, pending_kind = {}, {} -- seq -> due time, kind; until answered

function init(args)
  out_path, t0, rate, window, runid = args[2], tonumber(args[3]), tonumber(args[4]), tonumber(args[5]), args[6]
  nthreads = tonumber(args[7])
  for _, k in ipairs(KINDS) do
    _G["sent_" .. k], _G["ok_" .. k], _G["bad_" .. k], _G["lat_" .. k], _G["at_" .. k] = 0, 0, 0, {}, {}
  end
  local j = 0 -- index among the opinion lines
  for line in io.lines(args[1]) do
    local kind, path, cookie, csrf, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if kind == "opinion" then
      if math.floor(j / 4) % nthreads == id then
        table.insert(pools.opinion, { path, cookie, csrf, body })
      end
      j = j + 1
    elseif kind then
      table.insert(pools[kind], { path, cookie, csrf, body })
    end
  end
end

local IDLE = 3600000 -- ms: nothing left to send; wait past the end of the run

function delay()
  local g = nextn * nthreads + id
  local due = t0 + g / rate
  if due > t0 + window then
    return IDLE
  end
  local kind = pattern[nextn % #pattern + 1] -- each thread runs through the whole pattern
  nextn = nextn + 1
  local item
  if kind == "opinion" then
    next_of.opinion = next_of.opinion + 1
    item = pools.opinion[next_of.opinion]
    if not item then
      exhausted = exhausted + 1 -- the pool is too small for this rate and duration: send a look-up
      kind = "track"
    end
  end
  if kind ~= "opinion" then
    local pool = pools[kind]
    item = pool[next_of[kind] % #pool + 1]
    next_of[kind] = next_of[kind] + 1
  end
  tail = tail + 1
  fifo_due[tail], fifo_kind[tail], fifo_item[tail] = due, kind, item
  return math.max(0, math.floor((due - now()) * 1000))
end

function request()
  if head > tail then
    -- only wrk's own check of the script before the run asks without a scheduled request
    return wrk.format("GET", "/")
  end
  local due, kind, item = fifo_due[head], fifo_kind[head], fifo_item[head]
  fifo_due[head], fifo_kind[head], fifo_item[head] = nil, nil, nil
  head = head + 1
  local lag = now() - due
  if lag > maxlag then
    maxlag = lag
  end
  if lag > 0.005 then
    late = late + 1
  end
  seq = seq + 1
  pending_due[seq], pending_kind[seq] = due, kind
  _G["sent_" .. kind] = _G["sent_" .. kind] + 1
  local headers = { ["X-Bench-Seq"] = tostring(seq) }
  if item[2] ~= "" then
    headers["Cookie"] = item[2]
    headers["X-CSRFToken"] = item[3]
    headers["Referer"] = "http://127.0.0.1/"
  end
  if kind == "track" then
    return wrk.format("GET", item[1], headers)
  end
  if kind == "app" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  else
    headers["Content-Type"] = "application/json"
  end
  if kind == "complaint" then
    headers["Idempotency-Key"] = string.format("soak-%s-%d-%d", runid, id, seq)
  end
  return wrk.format("POST", item[1], headers, item[4])
end

function response(status, headers, body)
  local s = tonumber(headers["X-Bench-Seq"])
  local due = s and pending_due[s]
  if not due then
    unmatched = unmatched + 1
    return
  end
  local kind = pending_kind[s]
  pending_due[s], pending_kind[s] = nil, nil
  local lat, at = _G["lat_" .. kind], _G["at_" .. kind]
  lat[#lat + 1] = (now() - due) * 1000
  at[#at + 1] = due - t0
  if status >= 200 and status < 300 and headers["Idempotent-Replayed"] == nil then
    _G["ok_" .. kind] = _G["ok_" .. kind] + 1
  else
    _G["bad_" .. kind] = _G["bad_" .. kind] + 1
    if #errs < 20 then
      errs[#errs + 1] = string.format("%s %d %s", kind, status, ((body or ""):sub(1, 300):gsub("%s+", " ")))
    end
  end
end

function done(summary, latency, requests)
  local f = assert(io.open(threads[1]:get("out_path"), "w"))
  for _, t in ipairs(threads) do
    f:write(
      string.format(
        "thread id=%d unmatched=%d exhausted=%d maxlag_ms=%.1f late=%d\n",
        t:get("id"),
        t:get("unmatched"),
        t:get("exhausted"),
        t:get("maxlag") * 1000,
        t:get("late")
      )
    )
    for _, k in ipairs(KINDS) do
      local sent, ok, bad = t:get("sent_" .. k), t:get("ok_" .. k), t:get("bad_" .. k)
      f:write(string.format("kind %s sent=%d ok=%d bad=%d inflight=%d\n", k, sent, ok, bad, sent - ok - bad))
    end
    for _, e in ipairs(t:get("errs")) do
      f:write("err " .. e .. "\n")
    end
    for _, k in ipairs(KINDS) do
      local l, a = t:get("lat_" .. k), t:get("at_" .. k)
      for i = 1, #l do
        f:write(string.format("lat %s %.3f %.3f\n", k, l[i], a[i]))
      end
    end
  end
  f:close()
end
