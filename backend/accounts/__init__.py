"""Who is asking: users, roles and the scope every service filters by."""
