-- wrk script for bench/ingest: posts pre-signed webhook requests, each with its own event id.
--
--   wrk -t T -c C -d D -s post.lua URL -- REQUESTS_FILE T RATE ACKED_FILE [once]
--
-- REQUESTS_FILE: lines written by mangfold_bench_requests (path TAB headers… TAB body).
--   Thread i (0-based) sends lines i, i+T, i+2T, … so no two threads send the same event.
--   When a thread has sent all of its share, it starts over and counts each further
--   request in `repeats`: bench/run treats a run with repeats > 0 as invalid (the
--   connector would be answering duplicates, which is cheaper than real work).
-- RATE: total requests per second to aim at; 0 = as fast as the server answers. wrk has
--   no rate limit, so each thread paces itself with delay(): the n-th request of a thread
--   is due at start + n * T / RATE, and delay() waits until then (milliseconds, wrk's
--   timer resolution). Late requests go at once, so the achieved rate is measured, not
--   assumed.
-- once: send each request of the file once, then stop the thread (the warm-up that
--   introduces every vacancy before a measured run); without it, a run lasts D.
-- ACKED_FILE: where done() writes the event ids of every 2xx answer, one per line (read
--   from the connector's JSON answer), so the caller can check each one is in the database.
--
-- BENCH_ADDRS (environment, optional): "host:port,host:port,…": thread i connects to
--   address i modulo their count instead of the URL's (several connector instances on one
--   database, each thread's connections to one of them; the URL still gives path and Host).
--
-- done() prints one line "RESULT key=value …" for bench/run to parse. Latencies are µs.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- Main state: one entry per thread, for done().
local threads = {}
local thread_count = 0

local targets = nil

function setup(thread)
  local addrs = os.getenv("BENCH_ADDRS")
  if addrs and addrs ~= "" then
    if not targets then
      targets = {}
      for host, port in string.gmatch(addrs, "([^,:]+):(%d+)") do
        targets[#targets + 1] = wrk.lookup(host, port)[1]
      end
    end
    thread.addr = targets[thread_count % #targets + 1]
  end
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

-- Thread state. Globals so that done() can read them with thread:get().
ok2xx, non2xx, duplicates, repeats = 0, 0, 0, 0
statuses = {}
acked = {}
acked_file = nil

local pool, pool_size, cursor = {}, 0, 0
local interval_ms, started_ms, sent = nil, nil, 0
local sent_all, once = false, false

local function split_tabs(line)
  local fields = {}
  for field in string.gmatch(line, "[^\t]+") do fields[#fields + 1] = field end
  return fields
end

function init(args)
  local file, nthreads, rate = args[1], tonumber(args[2]), tonumber(args[3] or "0")
  acked_file = args[4]
  once = args[5] == "once"
  local n = 0
  for line in io.lines(file) do
    if n % nthreads == tid then
      local f = split_tabs(line)
      local headers = {}
      for i = 2, #f - 1 do
        local name, value = string.match(f[i], "^([^:]+): (.*)$")
        headers[name] = value
      end
      pool_size = pool_size + 1
      pool[pool_size] = wrk.format("POST", f[1], headers, f[#f])
    end
    n = n + 1
  end
  if pool_size == 0 then error("no requests for thread " .. tid .. " in " .. file) end
  if rate and rate > 0 then
    interval_ms = 1000 * nthreads / rate
  else
    delay = nil -- wrk checks for delay() after init: without it, no pacing at all
  end
end

function delay()
  local now = now_ms()
  if not started_ms then started_ms = now end
  local due = started_ms + sent * interval_ms
  sent = sent + 1
  if due <= now then return 0 end
  return math.floor(due - now)
end

function request()
  cursor = cursor + 1
  if cursor > pool_size then
    if once then
      wrk.thread:stop()
      cursor = pool_size -- one more copy of the last request may go out; it is a duplicate
      return pool[cursor]
    end
    cursor = 1
  end
  if sent_all then repeats = repeats + 1 end
  if cursor == pool_size then sent_all = true end
  return pool[cursor]
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok2xx = ok2xx + 1
    local id = string.match(body, '"event_id":"([^"]+)"')
    if id then acked[#acked + 1] = id end
    if string.find(body, '"status":"duplicate"', 1, true) then duplicates = duplicates + 1 end
  else
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total = { ok2xx = 0, non2xx = 0, duplicates = 0, repeats = 0, acked = 0 }
  local by_status = {}
  local out = nil
  for _, thread in ipairs(threads) do
    for key, _ in pairs(total) do
      if key ~= "acked" then total[key] = total[key] + thread:get(key) end
    end
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
    local file = thread:get("acked_file")
    if file and file ~= "" then
      out = out or io.open(file, "w")
      for _, id in ipairs(thread:get("acked")) do
        out:write(id, "\n")
        total.acked = total.acked + 1
      end
    end
  end
  if out then out:close() end
  local statuses_text = {}
  for status, count in pairs(by_status) do statuses_text[#statuses_text + 1] = status .. ":" .. count end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d ok2xx=%d non2xx=%d duplicates=%d repeats=%d acked_ids=%d " ..
    "connect_errors=%d read_errors=%d write_errors=%d timeouts=%d " ..
    "p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f statuses=%s\n",
    summary.requests, summary.duration, total.ok2xx, total.non2xx, total.duplicates, total.repeats,
    total.acked, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, #statuses_text > 0 and table.concat(statuses_text, ",") or "-"))
end
