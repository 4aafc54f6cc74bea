"""Extract: turn a document's bytes (HTML, PDF, Word, text) into ordered rows of text cells."""
