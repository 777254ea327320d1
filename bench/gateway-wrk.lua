-- wrk script of bench/gateway.ts. Environment:
--   BENCH_KB      sizes asked for, e.g. "1" or "1,10,100" (the soak mixes them)
--   BENCH_PEOPLE  how many people to cycle through (u000 ...)
--   BENCH_TOKEN   a JWT sent as a bearer token, for the full policy only
--   BENCH_PAUSE_MS  when set, each connection waits a random 0..2x this many ms (whole ms, as wrk
--                   takes them; this mean, as fractions may be) after each answer: wrk cannot send
--                   at a fixed rate, so this approximates a rate below peak
-- Requests are formatted once in init: per-request Lua would cost the load generator more than
-- some of the servers it measures. done() prints one JSON line (latencies in microseconds).

local requests = {}
local index = 0

function init(args)
  local headers = { ["Host"] = wrk.headers["Host"] }
  local token = os.getenv("BENCH_TOKEN")
  if token ~= nil and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  local people = tonumber(os.getenv("BENCH_PEOPLE") or "100")
  for kb in string.gmatch(os.getenv("BENCH_KB") or "1", "%d+") do
    for n = 0, people - 1 do
      requests[#requests + 1] = wrk.format("GET", string.format("/api/user/u%03d?kb=%s", n, kb), headers)
    end
  end
  index = math.random(#requests) - 1
end

function request()
  index = index % #requests + 1
  return requests[index]
end

local pause = tonumber(os.getenv("BENCH_PAUSE_MS") or "0")
if pause > 0 then
  function delay()
    return math.floor(math.random() * 2 * pause + 0.5)
  end
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"durationUs":%d,"bytes":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"statusErrors":%d,"timeouts":%d,"p50":%d,"p99":%d,"max":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
