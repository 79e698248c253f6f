"""Evidence media: uploads, storage, derivatives, review and the image archive."""
