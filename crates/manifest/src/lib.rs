//! Turns a source tree (directory or kustomization) into the validated set of objects it declares.
