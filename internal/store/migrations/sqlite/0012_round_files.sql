-- A round's documents now include the published lists as files (CSV and
-- XLSX, the exact bytes whose SHA-256 the publish entry of the ledger
-- records). XLSX is binary: a document that is not UTF-8 text is kept in
-- data, with body empty; text documents stay in body. sha256 is always the
-- digest of the document's bytes. Written once, like the rest of the row.
ALTER TABLE round_documents ADD COLUMN data BLOB;
