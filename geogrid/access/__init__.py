"""Who may call the API: users and their hashed tokens, roles and scopes, the audit trail."""
