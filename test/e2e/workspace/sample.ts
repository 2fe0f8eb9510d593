// A sample workspace for trying Kokoro Read Aloud.
export function greet(name: string): string {
  return `Hello, ${name}!`;
}

export const isAdmin = (user: { role: string }) => user.role === 'admin';
