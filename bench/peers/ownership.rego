# The three core checks of bench/reference_audit.py as a Rego policy: missing
# owner roles, stale rotation and expired exceptions, with the same defaults,
# overrides and dates. The registry is the input; the date is data.now.
#
#     echo '{"now": "2026-11-01"}' > now.json
#     regorus eval -d bench/peers/ownership.rego -d now.json -i REGISTRY.yaml data.nhi.ownership.report
#
# `report` is {"findings": [...], "identities": N}, as the script prints it.
package nhi.ownership

import rego.v1

default_max_age := {
	"service_account": 90,
	"api_key": 90,
	"token": 90,
	"secret": 90,
	"other": 90,
	"ssh_key": 180,
	"oauth_app": 180,
	"certificate": 398,
	"workload_identity": null,
}

ns_per_day := 24 * 60 * 60 * 1000000000

# Python's falsy values: `x or default` takes the default for these.
falsy_values := {null, false, 0, "", [], {}}

falsy(x) if x in falsy_values

either(x, fallback) := x if not falsy(x)

else := fallback

get(obj, key) := object.get(obj, key, null)

# `90d`, `12w` or `never` as a number of days (null for never).
days("never") := null

days(text) := to_number(trim_suffix(text, "d")) if regex.match(`^\d+d$`, text)

days(text) := to_number(trim_suffix(text, "w")) * 7 if regex.match(`^\d+w$`, text)

# A date (or a timestamp: its first ten characters) in nanoseconds.
date_ns(value) := time.parse_ns("2006-01-02", substring(value, 0, 10))

doc := either(input, {})

policy := either(get(doc, "policy"), {})

rotation := either(get(policy, "rotation"), {})

kinds := either(get(rotation, "kinds"), {})

required_owners := either(get(policy, "required_owners"), ["policy", "technical", "revocation"])

identities := either(get(doc, "identities"), [])

today := date_ns(data.now)

live := [identity | some identity in identities; get(identity, "status") != "retired"]

own_rotation(identity) := either(get(identity, "rotation"), {})

# The identity's own max_age, else its kind's in the policy, else the policy's,
# else the default for its kind (90 days for an unknown kind).
max_age(identity) := days(own) if {
	own := get(own_rotation(identity), "max_age")
	own != null
} else := days(kind) if {
	kind := kinds[identity.kind]
} else := days(rotation.max_age) if {
	"max_age" in object.keys(rotation)
} else := limit if {
	limit := default_max_age[identity.kind]
} else := 90

reference(identity) := either(get(own_rotation(identity), "last_rotated"), get(identity, "created"))

missing_owner := [finding |
	some identity in live
	owners := either(get(identity, "owners"), {})
	some role in required_owners
	falsy(get(owners, role))
	finding := {"rule": "missing-owner", "identity": get(identity, "id"), "role": role}
]

stale_rotation := [finding |
	some identity in live
	limit := max_age(identity)
	limit != null
	ref := reference(identity)
	ref != null
	today - date_ns(ref) > limit * ns_per_day
	finding := {"rule": "stale-rotation", "identity": get(identity, "id")}
]

expired_exception := [finding |
	some identity in live
	some exception in either(get(identity, "exceptions"), [])
	expires := get(exception, "expires")
	expires != null
	date_ns(expires) < today
	finding := {"rule": "expired-exception", "identity": get(identity, "id"), "exception": get(exception, "rule")}
]

report := {
	"findings": array.concat(array.concat(missing_owner, stale_rotation), expired_exception),
	"identities": count(identities),
}
