// Users, groups and roles all carry inline policies and attached managed policies; these traits
// let one template serve the three of them (Put/Get/Delete/ListUserPolicies, ...Group..., ...Role...).
#pragma once
#include <string_view>

#include "aws/iam/common.h"

namespace orch::aws::iam {

template <class T>
struct EntityKind;

template <>
struct EntityKind<identity::User> {
  static constexpr std::string_view kName = "User", kParam = "UserName", kNoun = "user";
  static constexpr size_t kInlineMax = 2048;
  static const Rule& rule() { return rules::kUserName; }
  static identity::Ref<identity::User> find(const AccountData& a, const std::string& n) { return user(a, n); }
  static Authz authz(const Call& c, const State& s) { return on_user(c, s); }
};

template <>
struct EntityKind<identity::Group> {
  static constexpr std::string_view kName = "Group", kParam = "GroupName", kNoun = "group";
  static constexpr size_t kInlineMax = 5120;
  static const Rule& rule() { return rules::kGroupName; }
  static identity::Ref<identity::Group> find(const AccountData& a, const std::string& n) { return group(a, n); }
  static Authz authz(const Call& c, const State& s) { return on_group(c, s); }
};

template <>
struct EntityKind<identity::Role> {
  static constexpr std::string_view kName = "Role", kParam = "RoleName", kNoun = "role";
  static constexpr size_t kInlineMax = 10240;
  static const Rule& rule() { return rules::kRoleName; }
  static identity::Ref<identity::Role> find(const AccountData& a, const std::string& n) { return role(a, n); }
  static Authz authz(const Call& c, const State& s) { return on_role(c, s); }
};

}  // namespace orch::aws::iam
