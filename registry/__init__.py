"""The registry: an office's workers (shifts, absences, skills), clients and their status
history (nobody gets lost), the service catalogue, care programmes and what they make due
(`registry.programme`), recurrence rules (`registry.recurrence`), who may see what
(`registry.access`), geocoding and imports from files (`registry.importer`).

Service functions take the session explicitly; `registry.recurrence` and `registry.programme`
are pure.
"""
