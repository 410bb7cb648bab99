//! Strategic merge patch and JSON 6902 patch over JSON values, with the built-in kinds' merge keys.
