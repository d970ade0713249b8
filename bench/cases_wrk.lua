-- wrk script for bench/cases.py (Debian: apt-get install wrk). Not used by the product.
--
--   wrk -t T -c C -d D -s bench/cases_wrk.lua URL -- MODE TARGETS OUT OFFSET T RATE WINDOW T0 CYCLE CLOSE
--
-- TARGETS has one request per line: "path<TAB>Cookie header<TAB>CSRF token<TAB>JSON body". Each
-- wrk thread takes its own lines (groups of four consecutive lines, round robin from OFFSET), so no
-- line is sent twice (an opinion can be signed once); with CYCLE 1 (the bare view) every thread
-- sends every line, round and round.
--
-- MODE "closed": every connection sends its next request as soon as the previous one is answered
-- (saturation). MODE "paced": open loop at RATE requests per second in all, from T0 (a
-- CLOCK_MONOTONIC instant, as Python's time.monotonic()) for WINDOW seconds: the g-th request is
-- due at T0 + g / RATE whatever happened to the earlier ones, and its latency is counted from that
-- due time, so waiting for a free connection or behind a slow request counts too (no coordinated
-- omission, as wrk2 does; wrk2 is not in Debian). Responses are matched to their requests by the
-- X-Bench-Seq header (a per-thread counter) the bench settings echo back. OUT receives, per thread, a summary line and
-- one line per answer: its latency (ms), when it was due (s from T0) and the server's "wall,CPU" ms
-- in Django, for the timeline of stalls. CLOSE 1 sends "Connection: close": one connection per request, as a
-- reverse proxy in front of gunicorn does, so no connection sticks to one worker.
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

-- main state: number the threads (setup runs before each thread's init)
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local pool, fifo_due, fifo_item = {}, {}, {}
local head, tail, nextn, claimed, seq = 1, 0, 0, 0, 0
local mode, rate, window, t0, cycle, nthreads, close
-- results (read by done() through thread:get)
lat, at, srv, ok, errors, unmatched, maxlag, late, maxidx, exhausted = {}, {}, {}, 0, 0, 0, 0, 0, -1, 0
sent = {} -- seq -> due (or send) time, until answered; what is left at the end was in flight

function init(args)
  mode, out_path, nthreads = args[1], args[3], tonumber(args[5])
  rate, window, t0, cycle = tonumber(args[6]), tonumber(args[7]), tonumber(args[8]), args[9] == "1"
  close = args[10] == "1"
  local offset, j = tonumber(args[4]), 0
  for line in io.lines(args[2]) do
    if j >= offset and (cycle or math.floor((j - offset) / 4) % nthreads == id) then
      local path, cookie, csrf, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      pool[#pool + 1] = { j, path, cookie, csrf, body }
    end
    j = j + 1
  end
end

local IDLE = 3600000 -- ms: a connection with nothing left to send waits past the end of the run

function delay()
  local k = claimed + 1
  if k > #pool then
    if not cycle or #pool == 0 then
      exhausted = 1
      return IDLE
    end
  end
  local due, wait = nil, 0
  if mode == "paced" then
    due = t0 + (nextn * nthreads + id) / rate
    if due > t0 + window then
      return IDLE
    end
    nextn = nextn + 1
    wait = math.max(0, math.floor((due - now()) * 1000))
  end
  claimed = k
  tail = tail + 1
  fifo_due[tail] = due or false
  fifo_item[tail] = pool[(k - 1) % #pool + 1]
  return wait
end

function request()
  if head > tail then
    -- only wrk's own check of the script before the run asks without a claimed slot
    return wrk.format("GET", "/")
  end
  local due, item = fifo_due[head], fifo_item[head]
  fifo_due[head], fifo_item[head] = nil, nil
  head = head + 1
  local t = now()
  if due then
    -- the earliest request still waiting goes out now: its latency runs from its due time
    local lag = t - due
    if lag > maxlag then
      maxlag = lag
    end
    if lag > 0.005 then
      late = late + 1
    end
  else
    due = t
  end
  if item[1] > maxidx then
    maxidx = item[1]
  end
  seq = seq + 1
  sent[seq] = due
  local headers = {
    ["Cookie"] = item[3],
    ["X-CSRFToken"] = item[4],
    ["Content-Type"] = "application/json",
    ["Referer"] = "http://127.0.0.1/",
    ["X-Bench-Seq"] = tostring(seq),
  }
  if close then
    headers["Connection"] = "close"
  end
  return wrk.format("POST", item[2], headers, item[5])
end

function response(status, headers, body)
  local seq = tonumber(headers["X-Bench-Seq"])
  local start = seq and sent[seq]
  if not start then
    unmatched = unmatched + 1
    return
  end
  sent[seq] = nil
  lat[#lat + 1] = (now() - start) * 1000
  at[#at + 1] = start - (t0 or 0) -- when it was due (paced) or sent, from T0: the timeline of stalls
  srv[#srv + 1] = headers["X-Bench-Time"] or "0,0" -- ms in Django: wall, CPU (bench/cases_urls.py)
  if status == 200 then
    ok = ok + 1
  else
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local f = assert(io.open(threads[1]:get("out_path"), "w"))
  for _, t in ipairs(threads) do
    local l, a, s = t:get("lat"), t:get("at"), t:get("srv")
    local inflight = 0
    for _ in pairs(t:get("sent")) do
      inflight = inflight + 1
    end
    f:write(
      string.format(
        "thread ok=%d errors=%d unmatched=%d inflight=%d maxlag_ms=%.1f late=%d maxidx=%d exhausted=%d n=%d\n",
        t:get("ok"),
        t:get("errors"),
        t:get("unmatched"),
        inflight,
        t:get("maxlag") * 1000,
        t:get("late"),
        t:get("maxidx"),
        t:get("exhausted"),
        #l
      )
    )
    for i = 1, #l do
      f:write(string.format("%.3f %.4f %s\n", l[i], a[i], s[i]))
    end
  end
  f:close()
end
