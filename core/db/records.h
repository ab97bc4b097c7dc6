// The typed records of the Simple project's tracker databases (schemas as in tests/data/corpus).
#pragma once

#include "core/db/database.h"

namespace sdndb {

// todo_db.sdn: todos |id, keyword, area, priority, description, file, line, issue, blocked, status, valid|
struct Todo : RecordBase {
  std::string keyword, area, priority, description, file, issue, blocked, status;
  int64_t line = 0;
  bool valid = true;
};
template <>
struct RecordTraits<Todo> {
  static const FieldMap<Todo>& Map() {
    static const FieldMap<Todo> m = FieldMap<Todo>()
        .Text("keyword", &Todo::keyword).Text("area", &Todo::area).Text("priority", &Todo::priority)
        .Text("description", &Todo::description).Text("file", &Todo::file).Int("line", &Todo::line)
        .Text("issue", &Todo::issue).Text("blocked", &Todo::blocked).Text("status", &Todo::status)
        .Bool("valid", &Todo::valid);
    return m;
  }
};

// feature_db.sdn: features |id, category, name, description, spec, mode_interpreter, mode_jit,
//                           mode_smf_cranelift, mode_smf_llvm, platforms, status, valid|
struct Feature : RecordBase {
  std::string category, name, description, spec, mode_interpreter, mode_jit, mode_smf_cranelift, mode_smf_llvm,
      platforms, status;
  bool valid = true;
};
template <>
struct RecordTraits<Feature> {
  static const FieldMap<Feature>& Map() {
    static const FieldMap<Feature> m = FieldMap<Feature>()
        .Text("category", &Feature::category).Text("name", &Feature::name)
        .Text("description", &Feature::description).Text("spec", &Feature::spec)
        .Text("mode_interpreter", &Feature::mode_interpreter).Text("mode_jit", &Feature::mode_jit)
        .Text("mode_smf_cranelift", &Feature::mode_smf_cranelift).Text("mode_smf_llvm", &Feature::mode_smf_llvm)
        .Text("platforms", &Feature::platforms).Text("status", &Feature::status).Bool("valid", &Feature::valid);
    return m;
  }
};

// task_db.sdn: tasks |id, category, name, description, priority, status, valid|
struct Task : RecordBase {
  std::string category, name, description, priority, status;
  bool valid = true;
};
template <>
struct RecordTraits<Task> {
  static const FieldMap<Task>& Map() {
    static const FieldMap<Task> m = FieldMap<Task>()
        .Text("category", &Task::category).Text("name", &Task::name).Text("description", &Task::description)
        .Text("priority", &Task::priority).Text("status", &Task::status).Bool("valid", &Task::valid);
    return m;
  }
};

}  // namespace sdndb
