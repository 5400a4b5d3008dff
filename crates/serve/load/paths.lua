-- wrk script: each request takes the next path from PATHS_FILE (one path per line), round robin.
-- Used by load/run.sh to spread the load over many accounts and leaderboard pages.
local paths = {}
local file = os.getenv("PATHS_FILE")
for line in io.lines(file) do
  if #line > 0 then paths[#paths + 1] = line end
end
local i = 0

request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

-- Non-2xx answers are counted by wrk itself; print the latency percentiles we report.
done = function(summary, latency, requests)
  io.write(string.format("p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("non-2xx/3xx %d  socket errors: connect %d read %d write %d timeout %d\n",
    summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
