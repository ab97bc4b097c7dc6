// The elements of the Records and Conflicts trees (plain data; the providers build TreeItems).
export interface DatabaseNode { kind: 'database'; database: string }
export interface GroupNode { kind: 'group'; database: string; field: string | undefined; key: string }
export interface RecordNode { kind: 'record'; database: string; id: string }
export type RecordsNode = DatabaseNode | GroupNode | RecordNode;

// Conflict ids are unique per database only ("c1" in todo and "c1" in task): always both.
export interface ConflictNode { kind: 'conflict'; database: string; conflictId: string }
export interface ConflictValueNode { kind: 'conflictValue'; database: string; conflictId: string; side: 'base' | 'ours' | 'theirs' }
export type ConflictsNode = ConflictNode | ConflictValueNode;
