-- First page of a name search (a blind-index prefix match on protected data), with PHR_TOKEN.
local headers = { ["Accept"] = "application/fhir+json", ["Authorization"] = "Bearer " .. (os.getenv("PHR_TOKEN") or "") }
request = function()
  return wrk.format("GET", "/Patient?name=bench&_count=20", headers)
end
