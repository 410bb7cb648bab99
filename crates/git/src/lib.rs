//! Fetches Git repositories into a local cache and reads a revision's tree without a worktree.
