"""Cap Partagé: live workshops that co-build a territorial digital inclusion roadmap."""
