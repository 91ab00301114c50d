"""Citizens' drafts: the server-side filing in progress, submitted once into a dossier."""
