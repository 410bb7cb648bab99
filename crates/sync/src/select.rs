//! A partial sync (`argocd app sync --resource`, an operation's `sync.resources`): only the
//! objects named are applied or pruned; hooks do not run, as in Argo CD's selective sync.

use ferry_types::ObjectKey;

use crate::plan::{Action, Plan};

/// One object a partial sync names: group, kind and name, and a namespace unless any will do.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceSelector {
    /// API group (empty for core).
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Namespace; empty matches any.
    pub namespace: String,
}

impl ResourceSelector {
    /// Reads `GROUP:KIND:NAME` or `GROUP:KIND:NAMESPACE/NAME` (the group empty for core:
    /// `:ConfigMap:settings`), as `argocd app sync --resource` takes it.
    pub fn parse(text: &str) -> Result<ResourceSelector, String> {
        let parts: Vec<&str> = text.splitn(3, ':').collect();
        let [group, kind, rest] = parts[..] else {
            return Err(format!(
                "{text:?}: expected GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME (:ConfigMap:settings)"
            ));
        };
        let (namespace, name) = rest.split_once('/').unwrap_or(("", rest));
        if kind.is_empty() || name.is_empty() {
            return Err(format!("{text:?}: the kind and the name must not be empty"));
        }
        Ok(ResourceSelector {
            group: group.to_string(),
            kind: kind.to_string(),
            name: name.to_string(),
            namespace: namespace.to_string(),
        })
    }

    /// Whether the selector names `key`.
    pub fn matches(&self, key: &ObjectKey) -> bool {
        self.group == key.group
            && self.kind == key.kind
            && self.name == key.name
            && (self.namespace.is_empty() || self.namespace == key.namespace)
    }
}

/// The plan of a partial sync: the steps of the objects `selected` names, no hooks, no SyncFail
/// hooks. Pure.
pub fn select(plan: &Plan, selected: &[ResourceSelector]) -> Plan {
    Plan {
        steps: plan
            .steps
            .iter()
            .filter(|step| !matches!(step.action, Action::RunHook { .. }))
            .filter(|step| selected.iter().any(|selector| selector.matches(&step.key)))
            .cloned()
            .collect(),
        on_failure: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotations::SyncPhase;
    use crate::plan::Step;

    fn step(kind: &str, name: &str, action: Action) -> Step {
        Step {
            phase: SyncPhase::Sync,
            wave: 0,
            action,
            key: ObjectKey {
                group: String::new(),
                kind: kind.into(),
                namespace: "shop".into(),
                name: name.into(),
            },
            object: None,
        }
    }

    #[test]
    fn a_selector_reads_argo_cds_form_with_or_without_a_namespace() {
        let selector = ResourceSelector::parse(":ConfigMap:settings").unwrap();
        assert_eq!(
            (selector.kind.as_str(), selector.name.as_str()),
            ("ConfigMap", "settings")
        );
        assert!(selector.namespace.is_empty());
        let namespaced = ResourceSelector::parse("apps:Deployment:shop/web").unwrap();
        assert_eq!(namespaced.group, "apps");
        assert_eq!(namespaced.namespace, "shop");
        assert!(ResourceSelector::parse("ConfigMap/settings").is_err());
        assert!(ResourceSelector::parse("::settings").is_err());
    }

    #[test]
    fn a_partial_plan_keeps_the_named_objects_and_runs_no_hook() {
        let plan = Plan {
            steps: vec![
                step(
                    "Job",
                    "migrate",
                    Action::RunHook {
                        delete_policies: vec![],
                    },
                ),
                step("ConfigMap", "a", Action::Apply),
                step("ConfigMap", "b", Action::Apply),
                step("ConfigMap", "gone", Action::Prune),
            ],
            on_failure: vec![step(
                "Job",
                "alert",
                Action::RunHook {
                    delete_policies: vec![],
                },
            )],
        };
        let selected = [
            ResourceSelector::parse(":ConfigMap:a").unwrap(),
            ResourceSelector::parse(":ConfigMap:other/gone").unwrap(),
            ResourceSelector::parse(":Job:migrate").unwrap(),
        ];
        let partial = select(&plan, &selected);
        let names: Vec<&str> = partial
            .steps
            .iter()
            .map(|step| step.key.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["a"],
            "a prune in another namespace and a hook are left out"
        );
        assert!(partial.on_failure.is_empty());
    }
}
