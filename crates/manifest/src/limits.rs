//! Limits that keep a hostile or broken repository from exhausting memory.

/// Size and count limits applied while rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest manifest file read, in bytes.
    pub max_file_size: u64,
    /// Most objects one source may declare.
    pub max_objects: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_size: 10 * 1024 * 1024,
            max_objects: 10_000,
        }
    }
}
