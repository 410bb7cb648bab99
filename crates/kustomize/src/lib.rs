//! Native Kustomize: builds a kustomization from a source tree into objects, as kubectl kustomize does.
