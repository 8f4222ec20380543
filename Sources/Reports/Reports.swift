// placeholder until the target gets its first type
