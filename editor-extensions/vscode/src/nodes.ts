// The elements of the Records and Conflicts trees (plain data; the providers build TreeItems).
export interface DatabaseNode { kind: 'database'; database: string }
export interface GroupNode { kind: 'group'; database: string; field: string | undefined; key: string }
export interface RecordNode { kind: 'record'; database: string; id: string }
export type RecordsNode = DatabaseNode | GroupNode | RecordNode;

export interface ConflictNode { kind: 'conflict'; conflictId: string }
export interface ConflictValueNode { kind: 'conflictValue'; conflictId: string; side: 'base' | 'ours' | 'theirs' }
export type ConflictsNode = ConflictNode | ConflictValueNode;
