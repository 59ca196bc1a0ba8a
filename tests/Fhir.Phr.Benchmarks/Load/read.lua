-- GET of one existing Patient; the id comes from PHR_ID, the bearer token from PHR_TOKEN.
local id = os.getenv("PHR_ID")
local headers = { ["Accept"] = "application/fhir+json", ["Authorization"] = "Bearer " .. (os.getenv("PHR_TOKEN") or "") }
request = function()
  return wrk.format("GET", "/Patient/" .. id, headers)
end
