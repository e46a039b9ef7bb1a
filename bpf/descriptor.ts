// The shape of a generated template descriptor (bpf/generated/<template>.ts):
// what the compiled object's BTF and symbol table say about the template's
// rodata, structs, enums, maps and programs. Hand-written types, generated data.

export type DescribedType =
  | { readonly kind: "int"; readonly size: number; readonly signed: boolean }
  | { readonly kind: "char" }
  | { readonly kind: "enum"; readonly name: string; readonly size: number; readonly signed: boolean }
  | { readonly kind: "array"; readonly of: DescribedType; readonly count: number }
  | { readonly kind: "pointer" }
  | { readonly kind: "struct"; readonly name: string };

export interface DescribedMember {
  readonly name: string;
  /** Byte offset in the struct. */
  readonly offset: number;
  readonly size: number;
  readonly type: DescribedType;
}

export interface DescribedStruct {
  readonly size: number;
  readonly members: readonly DescribedMember[];
}

export interface DescribedMap {
  /** libbpf's name of the map type: "ringbuf", "percpu_array", ... */
  readonly type: string;
  /** As compiled; the loader may change it before load. */
  readonly maxEntries?: number;
  readonly keySize?: number;
  readonly valueSize?: number;
}

export interface DescribedSection {
  /** Bytes of the ELF section = the data map's value size. */
  readonly size: number;
  readonly vars: readonly DescribedMember[];
}

export interface TemplateDescriptor {
  readonly template: string;
  /** Object path relative to the package root. */
  readonly object: string;
  readonly programs: readonly { readonly name: string; readonly section: string }[];
  readonly maps: Readonly<Record<string, DescribedMap>>;
  readonly sections: Readonly<Record<string, DescribedSection>>;
  readonly structs: Readonly<Record<string, DescribedStruct>>;
  readonly enums: Readonly<Record<string, Readonly<Record<string, number>>>>;
}
