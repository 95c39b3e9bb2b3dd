"""What the registry's API reads and answers, by subject: `fields` (the field types every
schema is built from), `offices`, `workers`, `clients`, `care_plans` (with the service
catalogue), `audit` and `imports`. Validation errors name the field at fault."""
