package dev.postcall.cli;
public class Main { public static void main(String[] a) {} }
