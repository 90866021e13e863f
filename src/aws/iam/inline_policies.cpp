// Inline policies of users, groups and roles: one template for the three kinds.
#include <algorithm>

#include "aws/iam/entity_kinds.h"
#include "aws/iam/register.h"
#include "aws/protocol/form.h"

namespace orch::aws::iam {
namespace {

template <class T>
json::value put_policy(Call& c) {
  using K = EntityKind<T>;
  std::string name = c.params.required(K::kParam, K::rule());
  std::string policy_name = c.params.required("PolicyName", rules::kPolicyName);
  std::string doc = c.params.required("PolicyDocument", rules::kPolicyDocument);
  check_policy(doc, policy::DocKind::Identity);
  c.dir.write([&](identity::Txn& t) {
    T e = *K::find(account(t.state(), c), name);
    auto it = std::find_if(e.inline_policies.begin(), e.inline_policies.end(),
                           [&](const identity::InlinePolicy& p) { return p.name == policy_name; });
    if (it != e.inline_policies.end()) it->document = doc;
    else e.inline_policies.push_back({policy_name, doc, nullptr});
    // The quota counts every inline policy of the entity together, whitespace not counted.
    size_t total = 0;
    for (const auto& p : e.inline_policies) total += policy::size_without_whitespace(p.document);
    if (total > K::kInlineMax)
      throw limit_exceeded("Maximum policy size of " + std::to_string(K::kInlineMax) + " bytes exceeded for " +
                           std::string(K::kNoun) + " " + e.name);
    t.put(e);
  });
  return nullptr;
}

template <class T>
const identity::InlinePolicy& find_inline(const T& e, const std::string& policy_name) {
  for (const auto& p : e.inline_policies)
    if (p.name == policy_name) return p;
  throw no_such_entity("The " + std::string(EntityKind<T>::kNoun) + " policy with name " + policy_name +
                       " cannot be found.");
}

template <class T>
json::value get_policy(Call& c) {
  using K = EntityKind<T>;
  std::string name = c.params.required(K::kParam, K::rule());
  std::string policy_name = c.params.required("PolicyName", rules::kPolicyName);
  return c.dir.read([&](const State& s) -> json::value {
    auto e = K::find(account(s, c), name);
    const auto& p = find_inline(*e, policy_name);
    return json::object{{K::kParam, e->name}, {"PolicyName", p.name}, {"PolicyDocument", percent_encode(p.document)}};
  });
}

template <class T>
json::value delete_policy(Call& c) {
  using K = EntityKind<T>;
  std::string name = c.params.required(K::kParam, K::rule());
  std::string policy_name = c.params.required("PolicyName", rules::kPolicyName);
  c.dir.write([&](identity::Txn& t) {
    T e = *K::find(account(t.state(), c), name);
    find_inline(e, policy_name);
    std::erase_if(e.inline_policies, [&](const identity::InlinePolicy& p) { return p.name == policy_name; });
    t.put(e);
  });
  return nullptr;
}

template <class T>
json::value list_policies(Call& c) {
  using K = EntityKind<T>;
  std::string name = c.params.required(K::kParam, K::rule());
  std::vector<Item> items = c.dir.read([&](const State& s) {
    std::vector<Item> out;
    for (const auto& p : K::find(account(s, c), name)->inline_policies) out.push_back({p.name, json::value(p.name)});
    std::sort(out.begin(), out.end(), [](const Item& a, const Item& b) { return a.key < b.key; });
    return out;
  });
  json::object out;
  paginate(c, std::move(items), "PolicyNames", out);
  return out;
}

template <class T>
void add_kind(Registry& r) {
  std::string kind(EntityKind<T>::kName);
  r.add({"iam", "Put" + kind + "Policy", EntityKind<T>::authz, put_policy<T>});
  r.add({"iam", "Get" + kind + "Policy", EntityKind<T>::authz, get_policy<T>});
  r.add({"iam", "Delete" + kind + "Policy", EntityKind<T>::authz, delete_policy<T>});
  r.add({"iam", "List" + kind + "Policies", EntityKind<T>::authz, list_policies<T>});
}

}  // namespace

void register_inline_policies(Registry& r) {
  add_kind<identity::User>(r);
  add_kind<identity::Group>(r);
  add_kind<identity::Role>(r);
}

}  // namespace orch::aws::iam
