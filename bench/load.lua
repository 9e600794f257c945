-- wrk script for bench/load.py: the paths of the file named after `--` (one a line) are put in one
-- shuffled order, the same for every thread, and thread k of n (n the second argument) asks for
-- its k-th, (k+n)-th ... in turn, so no path is asked for twice before all have been; it counts
-- the answers by status, and at the end prints one line "RESULT {json}" with the counts, errors
-- and latency percentiles (microseconds).
--   wrk -t2 -c16 -d20s -s bench/load.lua http://127.0.0.1:8000 -- paths.txt 2

local threads = {}

function setup(thread)
  thread:set("seed", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  math.randomseed(1)
  for i = #paths, 2, -1 do
    local j = math.random(i)
    paths[i], paths[j] = paths[j], paths[i]
  end
  step = tonumber(args[2] or "1")
  at = seed - step
  statuses = {}
end

function request()
  at = at + step
  return wrk.format("GET", paths[(at - 1) % #paths + 1])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    parts[#parts + 1] = string.format('"%d": %d', status, n)
  end
  local e = summary.errors
  print(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d}}',
    summary.requests, summary.duration / 1e6, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max
  ))
end
