import { describe, expect, test } from 'vitest';
import { EventFormatter } from '../../js/index.js';

describe('EventFormatter', () => {
    const formatter = new EventFormatter('App.Events');

    test.each([
        ['OrderShipped', 'App\\Events\\OrderShipped'],
        ['Users.UserCreated', 'App\\Events\\Users\\UserCreated'],
        ['.users.created', 'users.created'],
        ['\\Custom\\Event', 'Custom\\Event'],
        ['.client-typing', 'client-typing'],
        ['.Illuminate\\Notifications\\Events\\BroadcastNotificationCreated', 'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated'],
    ])('with the namespace: %s → %s', (event, formatted) => {
        expect(formatter.format(event)).toBe(formatted);
    });

    test('without a namespace, dots still become backslashes', () => {
        expect(new EventFormatter(false).format('Users.UserCreated')).toBe('Users\\UserCreated');
        expect(new EventFormatter(undefined).format('Plain')).toBe('Plain');
        expect(new EventFormatter('').format('A.B')).toBe('A\\B');
    });

    test('setNamespace changes the prefix', () => {
        const formatter = new EventFormatter('App.Events');
        formatter.setNamespace('Domain.Orders');
        expect(formatter.format('Shipped')).toBe('Domain\\Orders\\Shipped');
        formatter.setNamespace(false);
        expect(formatter.format('Shipped')).toBe('Shipped');
    });
});
