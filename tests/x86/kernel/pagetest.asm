; pagetest.asm: a freestanding 32-bit multiboot kernel that runs one x86
; paging case (the multiboot module, built by impl/x86case/module.ts from a
; case file) on the processor it boots on, and reports every result over COM1.
; It exists to test our TypeScript page walk against an x86 nobody here wrote
; (QEMU's TCG), line by line.
;
; Rebuild (the tests check the committed binary matches when nasm exists):
;   nasm -f bin -o tests/x86/kernel/pagetest.bin tests/x86/kernel/pagetest.asm
; Run one case by hand:
;   qemu-system-i386 -M pc -accel tcg -cpu qemu32 -m 128M -nodefaults -no-reboot \
;     -display none -monitor none -serial stdio \
;     -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
;     -kernel tests/x86/kernel/pagetest.bin -initrd CASE.module
;
; Physical memory while a case runs:
;   0x00100000  this kernel (code, data, GDT, IDT, TSS); the module follows it
;   0x00300000  four kernel page tables identity-mapping 0..16 MiB
;   0x00304000  the list of page directories the kernel installed itself into
;   0x003F0000  top of the kernel stack; 0x003F8000 top of the trap stack (TSS.esp0)
;   0x00400000  the case's window, 12 MiB: every word starts as its own
;               physical address, then the image's words are stored over it
;   0x01000000  the shadow: a copy of the window as it was before the first
;               operation, to report every word that changed
;
; The kernel owns linear 0..16 MiB: PDEs 0..3 of every page directory the case
; loads into CR3 point at the kernel page tables (supervisor pages, except the
; one user page holding the ring-3 stubs). The case keeps those four words 0;
; the kernel restores them before comparing, so they never show as changes.
;
; Output, one line per operation, then every changed word, then a summary:
;   op 7 read3 0x01234000 -> 0x00801000
;   op 8 write0 0x01234004 0x5a5a5a5a -> #PF cr2=0x01234004 err=0x00000003
;   mem 0x00401010 0x00402003 -> 0x00402023
;   end ops=8 changed=1
; Exit status through isa-debug-exit: 0 written (QEMU exits 1) when the case
; ran to the end, 1 written (QEMU exits 3) after an "error ..." line.

bits 32
org 0x00100000

LOAD_ADDR       equ 0x00100000
COM1            equ 0x3F8
COM1_LSR        equ COM1 + 5
LSR_THR_EMPTY   equ 0x20
DEBUG_EXIT_PORT equ 0xF4
EXIT_OK         equ 0
EXIT_ERROR      equ 1

MULTIBOOT_MAGIC    equ 0x1BADB002
MULTIBOOT_FLAGS    equ 0x00010003      ; page-aligned modules, memory info, load addresses below
MULTIBOOT_BOOTED   equ 0x2BADB002
MBI_FLAG_MODULES   equ 1 << 3
MBI_MODS_COUNT     equ 20
MBI_MODS_ADDR      equ 24

KERNEL_PT       equ 0x00300000
KERNEL_PDES     equ 4                  ; linear 0..16 MiB belong to the kernel
PD_LIST         equ 0x00304000
PD_LIST_MAX     equ 256
MODULE_LIMIT    equ 0x00300000
KSTACK_TOP      equ 0x003F0000
TRAPSTACK_TOP   equ 0x003F8000
WINDOW_BASE     equ 0x00400000
WINDOW_END      equ 0x01000000
WINDOW_WORDS    equ (WINDOW_END - WINDOW_BASE) / 4
SHADOW_BASE     equ 0x01000000
SHADOW_DELTA    equ SHADOW_BASE - WINDOW_BASE
USER_LINEAR_MIN equ 0x01000000

PG_P            equ 1
PG_RW           equ 2
PG_US           equ 4
CR0_WP          equ 1 << 16
CR0_PG          equ 1 << 31
CR4_PSE         equ 1 << 4

SEL_KCODE       equ 0x08
SEL_KDATA       equ 0x10
SEL_UCODE       equ 0x18 | 3
SEL_UDATA       equ 0x20 | 3
SEL_TSS         equ 0x28
GATE_KERNEL     equ 0x8E               ; present, DPL 0, 32-bit interrupt gate
GATE_USER       equ 0xEE               ; present, DPL 3 (reachable by INT from ring 3)
VECTOR_PF       equ 14
VECTOR_RETURN   equ 0x80               ; the ring-3 stubs come back with INT 0x80
EFLAGS_RING3    equ 0x00000002         ; IF = 0, IOPL = 0

CASE_MAGIC      equ 0x3158504D         ; "MPX1"
CASE_VERSION    equ 1
CASE_HEADER     equ 24
CASE_FLAG_WP    equ 1
CASE_FLAG_PSE   equ 2
OP_SIZE         equ 12
OP_READ0        equ 1
OP_WRITE0       equ 2
OP_READ3        equ 3
OP_WRITE3       equ 4
OP_INVLPG       equ 5
OP_CR3          equ 6
OP_WP           equ 7
OP_PSE          equ 8
OP_POKE         equ 9
OP_LAST         equ OP_POKE

; --------------------------------------------------------------------------
multiboot_header:
    dd MULTIBOOT_MAGIC
    dd MULTIBOOT_FLAGS
    dd -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)
    dd multiboot_header                ; header_addr
    dd LOAD_ADDR                       ; load_addr
    dd load_end                        ; load_end_addr
    dd load_end                        ; bss_end_addr (no bss: big areas sit at fixed addresses)
    dd start                           ; entry_addr

; --------------------------------------------------------------------------
start:
    cli
    mov esp, KSTACK_TOP
    mov [boot_magic], eax
    mov [boot_info], ebx
    call serial_init
    lgdt [gdt_descriptor]
    jmp SEL_KCODE:.flush
.flush:
    mov ax, SEL_KDATA
    mov ss, ax
    ; DS/ES/FS/GS hold the DPL-3 flat data segment in ring 0 too, so the
    ; ring-3 stubs find them valid and an IRET never nulls them.
    mov ax, SEL_UDATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ax, SEL_TSS
    ltr ax
    call build_idt
    lidt [idt_descriptor]

    cmp dword [boot_magic], MULTIBOOT_BOOTED
    jne error_boot
    call read_case_header
    call fill_window
    call apply_image
    call copy_shadow
    call build_kernel_page_tables

    mov eax, [case_cr3]
    call install_kernel_pdes
    mov cr3, eax
    mov eax, cr4
    and eax, ~CR4_PSE
    test dword [case_flags], CASE_FLAG_PSE
    jz .pse_done
    or eax, CR4_PSE
.pse_done:
    mov cr4, eax
    mov eax, cr0
    and eax, ~CR0_WP
    or eax, CR0_PG
    test dword [case_flags], CASE_FLAG_WP
    jz .wp_done
    or eax, CR0_WP
.wp_done:
    mov cr0, eax

    call run_operations

    mov eax, cr0
    and eax, ~CR0_PG
    mov cr0, eax
    call restore_kernel_pdes
    call report_changes
    mov esi, str_end_ops
    call print_string
    mov eax, [op_count]
    call print_decimal
    mov esi, str_changed
    call print_string
    mov eax, [changed_count]
    call print_decimal
    call print_newline
    mov eax, EXIT_OK
    jmp exit_qemu

; --------------------------------------------------------------------------
; The case: header, image words (paddr, value), operations (code, address, value).
read_case_header:
    mov ebx, [boot_info]
    test dword [ebx], MBI_FLAG_MODULES
    jz error_no_module
    cmp dword [ebx + MBI_MODS_COUNT], 1
    jb error_no_module
    mov esi, [ebx + MBI_MODS_ADDR]
    mov eax, [esi]                     ; mod_start
    mov edx, [esi + 4]                 ; mod_end
    cmp edx, MODULE_LIMIT
    ja error_module_too_big
    mov [case_base], eax
    sub edx, eax                       ; module size
    cmp edx, CASE_HEADER
    jb error_bad_case
    cmp dword [eax], CASE_MAGIC
    jne error_bad_case
    cmp dword [eax + 4], CASE_VERSION
    jne error_bad_case
    mov ecx, [eax + 8]
    mov [case_flags], ecx
    mov ecx, [eax + 12]
    mov [case_cr3], ecx
    mov ecx, [eax + 16]
    mov [image_count], ecx
    mov ecx, [eax + 20]
    mov [op_count], ecx
    ; size must be exactly header + 8 * words + 12 * operations
    cmp dword [image_count], MODULE_LIMIT
    jae error_bad_case
    cmp dword [op_count], MODULE_LIMIT
    jae error_bad_case
    mov ecx, [image_count]
    lea edi, [eax + CASE_HEADER + ecx * 8]
    mov [ops_base], edi
    mov ecx, [op_count]
    lea ecx, [ecx + ecx * 2]
    lea edi, [edi + ecx * 4]
    sub edi, eax
    cmp edi, edx
    jne error_bad_case
    mov eax, [case_cr3]
    call check_directory
    ret

; Every window word starts as its own physical address (a not-present entry,
; and a value that says where it was read from).
fill_window:
    mov edi, WINDOW_BASE
.next:
    mov [edi], edi
    add edi, 4
    cmp edi, WINDOW_END
    jb .next
    ret

apply_image:
    mov esi, [case_base]
    add esi, CASE_HEADER
    mov ecx, [image_count]
.next:
    test ecx, ecx
    jz .done
    mov edi, [esi]
    call check_window_word
    mov eax, [esi + 4]
    mov [edi], eax
    add esi, 8
    dec ecx
    jmp .next
.done:
    ret

copy_shadow:
    mov esi, WINDOW_BASE
    mov edi, SHADOW_BASE
    mov ecx, WINDOW_WORDS
    cld
    rep movsd
    ret

build_kernel_page_tables:
    mov edi, KERNEL_PT
    mov eax, PG_P | PG_RW
.next:
    mov [edi], eax
    add edi, 4
    add eax, 0x1000
    cmp edi, KERNEL_PT + KERNEL_PDES * 4096
    jb .next
    ; the ring-3 stubs: a user, read-only page
    mov dword [KERNEL_PT + USER_PAGE / 4096 * 4], USER_PAGE | PG_P | PG_US
    ret

; eax = page directory (physical). Points its PDEs 0..3 at the kernel page
; tables and remembers the directory so restore_kernel_pdes can undo it.
install_kernel_pdes:
    push eax
    push ecx
    push edi
    call check_directory
    mov edi, eax
    mov dword [edi + 0], KERNEL_PT + 0x0000 | PG_P | PG_RW | PG_US
    mov dword [edi + 4], KERNEL_PT + 0x1000 | PG_P | PG_RW | PG_US
    mov dword [edi + 8], KERNEL_PT + 0x2000 | PG_P | PG_RW | PG_US
    mov dword [edi + 12], KERNEL_PT + 0x3000 | PG_P | PG_RW | PG_US
    mov ecx, [pd_count]
.search:
    test ecx, ecx
    jz .append
    dec ecx
    cmp [PD_LIST + ecx * 4], eax
    je .done
    jmp .search
.append:
    mov ecx, [pd_count]
    cmp ecx, PD_LIST_MAX
    jae error_too_many_directories
    mov [PD_LIST + ecx * 4], eax
    inc dword [pd_count]
.done:
    pop edi
    pop ecx
    pop eax
    ret

; With paging off: copy PDEs 0..3 of every installed directory back from the shadow.
restore_kernel_pdes:
    xor ecx, ecx
.next:
    cmp ecx, [pd_count]
    jae .done
    mov edi, [PD_LIST + ecx * 4]
    mov eax, [edi + SHADOW_DELTA + 0]
    mov [edi + 0], eax
    mov eax, [edi + SHADOW_DELTA + 4]
    mov [edi + 4], eax
    mov eax, [edi + SHADOW_DELTA + 8]
    mov [edi + 8], eax
    mov eax, [edi + SHADOW_DELTA + 12]
    mov [edi + 12], eax
    inc ecx
    jmp .next
.done:
    ret

; With paging off: "mem PADDR BEFORE -> AFTER" for every window word that changed.
report_changes:
    mov esi, WINDOW_BASE
.next:
    cmp esi, WINDOW_END
    jae .done
    mov eax, [esi]
    cmp eax, [esi + SHADOW_DELTA]
    je .same
    inc dword [changed_count]
    push esi
    mov ebx, esi
    mov esi, str_mem
    call print_string
    mov eax, ebx
    call print_hex
    call print_space
    mov eax, [ebx + SHADOW_DELTA]
    call print_hex
    mov esi, str_arrow
    call print_string
    mov eax, [ebx]
    call print_hex
    call print_newline
    pop esi
.same:
    add esi, 4
    jmp .next
.done:
    ret

; --------------------------------------------------------------------------
; The operations.
run_operations:
    mov dword [op_index], 0
.next:
    mov eax, [op_index]
    cmp eax, [op_count]
    jae .done
    inc eax
    mov [op_index], eax
    mov esi, [ops_base]
    mov ebx, [esi]
    mov [op_code], ebx
    mov ebx, [esi + 4]
    mov [op_address], ebx
    mov ebx, [esi + 8]
    mov [op_value], ebx
    add esi, OP_SIZE
    mov [ops_base], esi
    mov esi, str_op
    call print_string
    mov eax, [op_index]
    call print_decimal
    call print_space
    mov eax, [op_code]
    cmp eax, 1
    jb error_bad_op
    cmp eax, OP_LAST
    ja error_bad_op
    mov esi, [op_names + eax * 4 - 4]
    call print_string
    call print_space
    mov eax, [op_code]
    call [op_handlers + eax * 4 - 4]
    call print_newline
    jmp .next
.done:
    ret

; Operands: "0xADDRESS" or "0xADDRESS 0xVALUE", then " -> ".
print_address:
    mov eax, [op_address]
    call print_hex
    ret
print_address_value:
    call print_address
    call print_space
    mov eax, [op_value]
    call print_hex
    ret
print_result_arrow:
    mov esi, str_arrow
    call print_string
    ret

; The access must stay out of the kernel's 16 MiB and be word aligned.
check_access_address:
    mov eax, [op_address]
    cmp eax, USER_LINEAR_MIN
    jb error_bad_op
    test eax, 3
    jnz error_bad_op
    ret

op_read0:
    call check_access_address
    call print_address
    call print_result_arrow
    mov ebx, [op_address]
    call access_read0
    jmp report_read
op_read3:
    call check_access_address
    call print_address
    call print_result_arrow
    mov ebx, [op_address]
    mov edx, user_read
    call access_user
    jmp report_read
op_write0:
    call check_access_address
    call print_address_value
    call print_result_arrow
    mov ebx, [op_address]
    mov ecx, [op_value]
    call access_write0
    jmp report_write
op_write3:
    call check_access_address
    call print_address_value
    call print_result_arrow
    mov ebx, [op_address]
    mov ecx, [op_value]
    mov edx, user_write
    call access_user
    jmp report_write

report_read:
    cmp dword [fault_taken], 0
    jne report_fault
    call print_hex
    ret
report_write:
    cmp dword [fault_taken], 0
    jne report_fault
    mov esi, str_ok
    call print_string
    ret
report_fault:
    mov esi, str_pf_cr2
    call print_string
    mov eax, [fault_cr2]
    call print_hex
    mov esi, str_err
    call print_string
    mov eax, [fault_error]
    call print_hex
    ret

op_invlpg:
    call check_access_address
    call print_address
    call print_result_arrow
    mov eax, [op_address]
    invlpg [eax]
    jmp report_write_ok
op_cr3:
    call print_address
    call print_result_arrow
    mov eax, [op_address]
    call install_kernel_pdes
    mov cr3, eax
    jmp report_write_ok
op_wp:
    call print_flag
    mov eax, cr0
    and eax, ~CR0_WP
    cmp dword [op_address], 0
    je .set
    or eax, CR0_WP
.set:
    mov cr0, eax
    jmp report_write_ok
op_pse:
    call print_flag
    mov eax, cr4
    and eax, ~CR4_PSE
    cmp dword [op_address], 0
    je .set
    or eax, CR4_PSE
.set:
    mov cr4, eax
    jmp report_write_ok
op_poke:
    call print_address_value
    call print_result_arrow
    mov edi, [op_address]
    call check_window_word
    mov eax, [op_value]
    mov [edi], eax                     ; through the kernel's identity map
    jmp report_write_ok
report_write_ok:
    mov dword [fault_taken], 0
    jmp report_write

; wp and pse take 0 or 1 in the address field.
print_flag:
    mov eax, [op_address]
    cmp eax, 1
    ja error_bad_op
    add al, '0'
    call putc
    call print_result_arrow
    ret

; Ring-0 accesses. On a #PF the handler reloads ESP from saved_esp and
; returns from here with fault_taken = 1.
access_read0:
    call begin_access
    mov eax, [ebx]
    mov dword [in_access], 0
    ret
access_write0:
    call begin_access
    mov [ebx], ecx
    mov dword [in_access], 0
    ret
; ebx, ecx stay for the stub; leaves the return address of our caller on the stack.
begin_access:
    pop dword [begin_return]
    mov dword [fault_taken], 0
    mov [saved_esp], esp
    mov dword [in_access], 1
    jmp [begin_return]

; A real switch to ring 3: IRET to the stub at edx (user page), which makes
; the access and comes back with INT 0x80 (or faults).
access_user:
    call begin_access
    push dword SEL_UDATA               ; SS
    push dword 0                       ; ESP: the stubs use no stack
    push dword EFLAGS_RING3
    push dword SEL_UCODE
    push edx
    iret

; --------------------------------------------------------------------------
; Interrupts.
page_fault_handler:
    cmp dword [in_access], 1
    jne unexpected_page_fault
    pop dword [fault_error]
    push eax
    mov eax, cr2
    mov [fault_cr2], eax
    pop eax
    mov dword [fault_taken], 1
    mov dword [in_access], 0
    mov esp, [saved_esp]
    ret                                ; from access_read0/access_write0/access_user

user_return_handler:
    cmp dword [in_access], 1
    jne unexpected_return
    mov dword [in_access], 0
    mov esp, [saved_esp]
    ret                                ; from access_user, eax = value read

unexpected_page_fault:
    push dword VECTOR_PF
    jmp unexpected_exception
unexpected_return:
    push dword VECTOR_RETURN
    jmp unexpected_exception

; Stack: vector, then (error code,) EIP, CS, EFLAGS as the CPU pushed them.
unexpected_exception:
    call print_newline
    mov esi, str_error_exception
    call print_string
    pop eax
    call print_hex
    mov esi, str_stack
    call print_string
    mov ecx, 3
.words:
    pop eax
    call print_space
    call print_hex
    loop .words
    mov esi, str_in_op
    call print_string
    mov eax, [op_index]
    call print_decimal
    call print_newline
    mov eax, EXIT_ERROR
    jmp exit_qemu

%assign vector 0
%rep 32
exception_ %+ vector:
    push dword vector
    jmp unexpected_exception
%assign vector vector + 1
%endrep

build_idt:
    xor ebx, ebx
.exceptions:
    mov eax, [exception_stubs + ebx * 4]
    mov dl, GATE_KERNEL
    call set_gate
    inc ebx
    cmp ebx, 32
    jb .exceptions
    mov ebx, VECTOR_PF
    mov eax, page_fault_handler
    mov dl, GATE_KERNEL
    call set_gate
    mov ebx, VECTOR_RETURN
    mov eax, user_return_handler
    mov dl, GATE_USER
    call set_gate
    ret

; ebx = vector, eax = handler, dl = type and DPL.
set_gate:
    lea edi, [idt + ebx * 8]
    mov [edi], ax
    mov word [edi + 2], SEL_KCODE
    mov byte [edi + 4], 0
    mov [edi + 5], dl
    shr eax, 16
    mov [edi + 6], ax
    ret

; --------------------------------------------------------------------------
; Checks that keep the kernel itself intact; impl/x86case validates the same
; rules with better messages before a case ever reaches QEMU.
check_window_word:                     ; edi = physical word address
    cmp edi, WINDOW_BASE
    jb error_bad_address
    cmp edi, WINDOW_END
    jae error_bad_address
    test edi, 3
    jnz error_bad_address
    ret
check_directory:                       ; eax = page directory address
    cmp eax, WINDOW_BASE
    jb error_bad_address
    cmp eax, WINDOW_END
    jae error_bad_address
    test eax, 0xFFF
    jnz error_bad_address
    ret

error_boot:
    mov esi, str_error_boot
    jmp fatal
error_no_module:
    mov esi, str_error_no_module
    jmp fatal
error_module_too_big:
    mov esi, str_error_module_too_big
    jmp fatal
error_bad_case:
    mov esi, str_error_bad_case
    jmp fatal
error_bad_op:
    mov esi, str_error_bad_op
    jmp fatal
error_bad_address:
    mov esi, str_error_bad_address
    jmp fatal
error_too_many_directories:
    mov esi, str_error_too_many_directories
    jmp fatal
fatal:
    push esi
    call print_newline
    pop esi
    call print_string
    mov esi, str_in_op
    call print_string
    mov eax, [op_index]
    call print_decimal
    call print_newline
    mov eax, EXIT_ERROR
exit_qemu:
    mov dx, DEBUG_EXIT_PORT
    out dx, eax
.halt:
    hlt
    jmp .halt

; --------------------------------------------------------------------------
; COM1, polled: wait for the transmitter before every byte, or bytes are lost.
serial_init:
    mov dx, COM1 + 1
    mov al, 0x00                       ; no interrupts
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x80                       ; DLAB
    out dx, al
    mov dx, COM1
    mov al, 0x01                       ; divisor 1: 115200 baud
    out dx, al
    mov dx, COM1 + 1
    mov al, 0x00
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03                       ; 8N1
    out dx, al
    mov dx, COM1 + 2
    mov al, 0xC7                       ; FIFO on, cleared
    out dx, al
    mov dx, COM1 + 4
    mov al, 0x03                       ; DTR, RTS
    out dx, al
    ret

putc:                                  ; al
    push edx
    push eax
    mov dx, COM1_LSR
.wait:
    in al, dx
    test al, LSR_THR_EMPTY
    jz .wait
    pop eax
    mov dx, COM1
    out dx, al
    pop edx
    ret

print_string:                          ; esi, zero-terminated
    push eax
.next:
    mov al, [esi]
    test al, al
    jz .done
    call putc
    inc esi
    jmp .next
.done:
    pop eax
    ret

print_space:
    push eax
    mov al, ' '
    call putc
    pop eax
    ret

print_newline:
    push eax
    mov al, 10
    call putc
    pop eax
    ret

print_hex:                             ; eax as 0x%08x
    push eax
    push ecx
    push edx
    mov edx, eax
    mov al, '0'
    call putc
    mov al, 'x'
    call putc
    mov ecx, 8
.digit:
    rol edx, 4
    mov eax, edx
    and eax, 0xF
    mov al, [hex_digits + eax]
    call putc
    loop .digit
    pop edx
    pop ecx
    pop eax
    ret

print_decimal:                         ; eax, unsigned
    push eax
    push ebx
    push ecx
    push edx
    mov ebx, 10
    xor ecx, ecx
.divide:
    xor edx, edx
    div ebx
    push edx
    inc ecx
    test eax, eax
    jnz .divide
.emit:
    pop eax
    add al, '0'
    call putc
    loop .emit
    pop edx
    pop ecx
    pop ebx
    pop eax
    ret

; --------------------------------------------------------------------------
; The ring-3 stubs, alone on a user page.
align 4096
USER_PAGE equ $ - $$ + LOAD_ADDR
user_read:
    mov eax, [ebx]
    int VECTOR_RETURN
user_write:
    mov [ebx], ecx
    int VECTOR_RETURN
align 4096

; --------------------------------------------------------------------------
; Data.
hex_digits:          db "0123456789abcdef"
str_op:              db "op ", 0
str_arrow:           db " -> ", 0
str_ok:              db "ok", 0
str_pf_cr2:          db "#PF cr2=", 0
str_err:             db " err=", 0
str_mem:             db "mem ", 0
str_end_ops:         db "end ops=", 0
str_changed:         db " changed=", 0
str_in_op:           db " at op ", 0
str_stack:           db " stack", 0
str_error_exception: db "error unexpected exception vector=", 0
str_error_boot:      db "error not booted by a multiboot loader", 0
str_error_no_module: db "error no case module (pass the case with -initrd)", 0
str_error_module_too_big: db "error case module ends above 0x00300000", 0
str_error_bad_case:  db "error case module header or size is invalid", 0
str_error_bad_op:    db "error invalid operation", 0
str_error_bad_address: db "error address outside the window or misaligned", 0
str_error_too_many_directories: db "error more than 256 page directories", 0
name_read0:  db "read0", 0
name_write0: db "write0", 0
name_read3:  db "read3", 0
name_write3: db "write3", 0
name_invlpg: db "invlpg", 0
name_cr3:    db "cr3", 0
name_wp:     db "wp", 0
name_pse:    db "pse", 0
name_poke:   db "poke", 0

align 4
op_names:    dd name_read0, name_write0, name_read3, name_write3, name_invlpg, name_cr3, name_wp, name_pse, name_poke
op_handlers: dd op_read0, op_write0, op_read3, op_write3, op_invlpg, op_cr3, op_wp, op_pse, op_poke

exception_stubs:
%assign vector 0
%rep 32
    dd exception_ %+ vector
%assign vector vector + 1
%endrep

boot_magic:    dd 0
boot_info:     dd 0
case_base:     dd 0
case_flags:    dd 0
case_cr3:      dd 0
image_count:   dd 0
op_count:      dd 0
ops_base:      dd 0
op_index:      dd 0
op_code:       dd 0
op_address:    dd 0
op_value:      dd 0
pd_count:      dd 0
changed_count: dd 0
in_access:     dd 0
fault_taken:   dd 0
fault_cr2:     dd 0
fault_error:   dd 0
saved_esp:     dd 0
begin_return:  dd 0

TSS_ADDRESS equ tss - $$ + LOAD_ADDR
align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF              ; 0x08 kernel code
    dq 0x00CF92000000FFFF              ; 0x10 kernel data (SS)
    dq 0x00CFFA000000FFFF              ; 0x18 user code, DPL 3
    dq 0x00CFF2000000FFFF              ; 0x20 user data, DPL 3
    dw TSS_SIZE - 1                    ; 0x28 TSS
    dw TSS_ADDRESS & 0xFFFF
    db (TSS_ADDRESS >> 16) & 0xFF
    db 0x89                            ; present, 32-bit available TSS
    db 0x00
    db (TSS_ADDRESS >> 24) & 0xFF
gdt_end:
gdt_descriptor:
    dw gdt_end - gdt - 1
    dd gdt

align 8
idt:
    times 256 * 8 db 0
idt_descriptor:
    dw 256 * 8 - 1
    dd idt

TSS_SIZE equ 104
align 4
tss:
    dd 0                               ; previous task link
    dd TRAPSTACK_TOP                   ; esp0
    dd SEL_KDATA                       ; ss0
    times 22 dd 0
    dw 0                               ; trap flag
    dw TSS_SIZE                        ; I/O map base: none
load_end:
