// The vscode-free client module: everything here runs under plain Node (and `node --test`).
export * from './protocol';
export * from './events';
export * from './client';
export * from './supervisor';
export * from './findServer';
export * from './throttle';
export * from './present';
export * from './recordText';
export * from './store';
export * from './grid';
export * from './sdnOutline';
export * from './tableAddress';
