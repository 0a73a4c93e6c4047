import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { GitBranchCache, readGitBranch } from '../../src/core/hooks/gitBranch';
import { tmpDir } from '../helpers/tmp';

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

test('branch from .git/HEAD, walking up from a subdirectory', () => {
  const repo = tmpDir();
  write(path.join(repo, '.git/HEAD'), 'ref: refs/heads/feature/x\n');
  fs.mkdirSync(path.join(repo, 'src/deep'), { recursive: true });
  assert.equal(readGitBranch(repo), 'feature/x');
  assert.equal(readGitBranch(path.join(repo, 'src/deep')), 'feature/x');
});

test('worktree: .git is a file naming the gitdir (relative or absolute)', () => {
  const root = tmpDir();
  write(path.join(root, 'main/.git/worktrees/wt/HEAD'), 'ref: refs/heads/wt-branch\n');
  write(path.join(root, 'wt/.git'), `gitdir: ${path.join(root, 'main/.git/worktrees/wt')}\n`);
  assert.equal(readGitBranch(path.join(root, 'wt')), 'wt-branch');
  write(path.join(root, 'wt2/.git'), 'gitdir: ../main/.git/worktrees/wt\n');
  assert.equal(readGitBranch(path.join(root, 'wt2')), 'wt-branch');
});

test('detached HEAD, missing directory and no repository give null', () => {
  const repo = tmpDir();
  write(path.join(repo, '.git/HEAD'), '3f1c2b0d9e8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e\n');
  assert.equal(readGitBranch(repo), null);
  assert.equal(readGitBranch(path.join(repo, 'does/not/exist')), null);
});

test('the cache reads each directory once per lifetime and stays bounded', () => {
  let now = 0;
  const reads: string[] = [];
  const cache = new GitBranchCache({ maxEntries: 3, ttlMs: 1000, now: () => now, read: (d) => (reads.push(d), `b-${d}`) });
  assert.equal(cache.branchFor('/a'), 'b-/a');
  assert.equal(cache.branchFor('/a'), 'b-/a');
  assert.deepEqual(reads, ['/a']);
  now = 1500;
  cache.branchFor('/a');
  assert.deepEqual(reads, ['/a', '/a']);
  for (const d of ['/b', '/c', '/d', '/e']) cache.branchFor(d);
  assert.equal(cache.size, 3);
});
