-- GET of one existing Patient; the id comes from the PHR_ID environment variable.
local id = os.getenv("PHR_ID")
request = function()
  return wrk.format("GET", "/Patient/" .. id, { ["Accept"] = "application/fhir+json" })
end
