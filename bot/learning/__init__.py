"""The learning loop: questions kept on request, feedback, the editors' inbox, statistics and live reload."""
