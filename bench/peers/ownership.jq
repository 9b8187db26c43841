# The three core checks of bench/reference_audit.py in jq: missing owner roles,
# stale rotation and expired exceptions, with the same defaults, overrides and
# dates. Input: the registry as JSON (yq converts the YAML); the date is $now.
#
#     yq --arg now 2026-11-01 -f bench/peers/ownership.jq REGISTRY.yaml
#
# Prints {"findings": [...], "identities": N}, as the script does.

# Python's falsy values: `x or default` takes the default for these.
def falsy: . == null or . == false or . == 0 or . == "" or . == [] or . == {};
def either(fallback): if falsy then fallback else . end;

# `90d`, `12w` or `never` as a number of days (null for never).
def days:
  if . == "never" then null
  else (tostring | capture("\\A(?<n>[0-9]+)(?<unit>[dw])\\z") // error("bad duration \(.)"))
    | (.n | tonumber) * (if .unit == "w" then 7 else 1 end)
  end;

# A date (or a timestamp: its first ten characters) in days since 1970.
def day: tostring | .[0:10] + "T00:00:00Z" | fromdateiso8601 / 86400;

{
  "service_account": 90, "api_key": 90, "token": 90, "secret": 90, "other": 90,
  "ssh_key": 180, "oauth_app": 180, "certificate": 398, "workload_identity": null
} as $defaults
| ($now | day) as $today
| either({}) as $doc
| ($doc.policy | either({})) as $policy
| ($policy.rotation | either({})) as $rotation
| ($rotation.kinds | either({})) as $kinds
| ($policy.required_owners | either(["policy", "technical", "revocation"])) as $roles
| ($doc.identities | either([])) as $identities
| {
    findings: [
      $identities[]
      | select(.status != "retired")
      | . as $identity
      | .id as $id
      | (.rotation | either({})) as $own
      | (.kind | if type == "string" then . else null end) as $kind
      | (
          (.owners | either({})) as $owners
          | $roles[]
          | select($owners[.] | falsy)
          | {rule: "missing-owner", identity: $id, role: .}
        ),
        (
          (if $own.max_age != null then $own.max_age | days
           elif $kind != null and ($kinds | has($kind)) then $kinds[$kind] | days
           elif $rotation | has("max_age") then $rotation.max_age | days
           elif $kind != null and ($defaults | has($kind)) then $defaults[$kind]
           else 90 end) as $limit
          | ($own.last_rotated | either($identity.created)) as $reference
          | select($limit != null and $reference != null)
          | select($today - ($reference | day) > $limit)
          | {rule: "stale-rotation", identity: $id}
        ),
        (
          (.exceptions | either([]))[]
          | select(.expires != null and (.expires | day) < $today)
          | {rule: "expired-exception", identity: $id, exception: .rule}
        )
    ],
    identities: ($identities | length)
  }
